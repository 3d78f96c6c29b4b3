"""The rubric: which properties are graded, for how many points, on how many examples.

``[grading]`` (the seed, examples per property) comes from rubric.toml beside this module, or
from the file an instructor passes with ``--rubric``. The points default to each op's declared
``OpSpec.points``; a rubric file with ``[points.<op>]`` tables replaces them (an op or property
left out, or set to 0, is not graded). A *part* graded beside the ops (the capstone,
grader/ops/capstone/) is the same: its declared points, or the file's ``[points.<part>]``. An op's score is the sum of the points of its passing
properties. The rubric carries the `Contract` it was checked against: what is graded is the ops
of one course, handed in by the entry point.
"""

import tomllib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .contract import Contract
from ..i18n import _

DEFAULT_RUBRIC = Path(__file__).with_name("rubric.toml")


class RubricError(Exception):
    """A rubric file that cannot be used; the message is one line for the instructor."""


@dataclass(frozen=True)
class Rubric:
    seed: int
    examples_per_property: int
    points: dict  # op key -> {property name: points}, in the contract's order
    contract: Contract = None  # the ops these points are for
    parts: dict = field(default_factory=dict)  # part key -> {property name: points}, graded beside the ops

    def __repr__(self) -> str:
        # What the bank's key hashes: the contract enters by its fingerprint (the kit's own ops by
        # the grader's source, which the key hashes anyway).
        course = f", course={self.contract.fingerprint!r}" if self.contract and self.contract.fingerprint else ""
        return (f"Rubric(seed={self.seed!r}, examples_per_property={self.examples_per_property!r}, "
                f"points={self.points!r}{course})")

    def graded(self, op_key: str):
        """(Property, points) for every graded property of an op, in the declared order."""
        chosen = self.points.get(op_key, {})
        return [(prop, chosen[prop.name]) for prop in self.contract[op_key].properties
                if chosen.get(prop.name, 0) > 0]

    @property
    def graded_ops(self) -> list:
        """The OpSpec of every op with a graded property, in the contract's order."""
        return [op for op in self.contract if self.graded(op.key)]

    def op_max(self, op_key: str) -> float:
        return sum(points for _, points in self.graded(op_key))

    @property
    def max_score(self) -> float:
        return sum(self.op_max(op.key) for op in self.contract)

    def seed_for(self, prop) -> int:
        """Each property gets its own seed, derived from the rubric's: stable across runs."""
        return (self.seed * 1_000_003 + zlib.crc32(prop.id.encode())) % 2**32


def load_rubric(contract: Contract, path=None, parts=None) -> Rubric:
    """The rubric for `contract`'s ops and `parts` ({part key: {property: default points}}):
    `path`'s, or the defaults (module docstring); RubricError if unusable."""
    path = Path(path) if path else DEFAULT_RUBRIC
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RubricError(_("rubric file not found: {path}").format(path=path)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RubricError(_("rubric {path} cannot be read: {error}").format(path=path, error=error)) from None
    grading = data.get("grading", {})
    parts = parts or {}
    points = data["points"] if "points" in data else {**{op.key: dict(op.points) for op in contract},
                                                      **{key: dict(table) for key, table in parts.items()}}
    unknown = set(data) - {"grading", "points"}
    if unknown:
        raise RubricError((_("rubric {path}: unknown section(s) {sorted}; expected [grading] and [points.<op>]")
                           .format(path=path, sorted=sorted(unknown))))
    seed, examples = grading.get("seed", 0), grading.get("examples_per_property", 40)
    if not isinstance(seed, int) or not isinstance(examples, int) or examples < 1:
        raise RubricError((_("rubric {path}: [grading] seed must be an integer and examples_per_property >= 1")
                           .format(path=path)))
    ordered = {}
    for op in contract:
        table = points.get(op.key, {})
        known = {prop.name for prop in op.properties}
        for name, value in table.items():
            if name not in known:
                raise RubricError((_("rubric {path}: [points.{key}] has no property '{name}'; known: {join}")
                                   .format(path=path, key=op.key, name=name, join=', '.join(sorted(known)))))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise RubricError((_("rubric {path}: [points.{key}] {name} must be a number >= 0")
                                   .format(path=path, key=op.key, name=name)))
        ordered[op.key] = dict(table)
    stray = set(points) - set(contract.keys) - set(parts)
    if stray:
        raise RubricError((_("rubric {path}: unknown op(s) {sorted}; known: {join}")
                           .format(path=path, sorted=sorted(stray), join=', '.join((*contract.keys, *parts)))))
    chosen = {key: _part_points(path, key, points.get(key, {}), defaults) for key, defaults in parts.items()}
    return Rubric(seed, examples, ordered, contract, chosen)


def _part_points(path, key: str, table, defaults: dict) -> dict:
    """A part's graded properties and points, in its declared order (checked as an op's are)."""
    if not isinstance(table, dict):
        raise RubricError(_("rubric {path}: [points.{key}] must be a table of property = points").format(path=path, key=key))
    for name, value in table.items():
        if name not in defaults:
            raise RubricError(_("rubric {path}: [points.{key}] has no property '{name}'; known: {known}").format(
                path=path, key=key, name=name, known=", ".join(sorted(defaults))))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RubricError(_("rubric {path}: [points.{key}] {name} must be a number >= 0").format(path=path, key=key, name=name))
    return {name: table[name] for name in defaults if table.get(name, 0) > 0}
