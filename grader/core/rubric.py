"""The rubric: which properties are graded, for how many points, on how many examples.

It is a data file (rubric.toml beside this module, or one an instructor passes with
``--rubric``). An op's score is the sum of the points of its passing properties.
"""

import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path

from .cases import PROPERTIES
from .contract import OPS

DEFAULT_RUBRIC = Path(__file__).with_name("rubric.toml")


class RubricError(Exception):
    """A rubric file that cannot be used; the message is one line for the instructor."""


@dataclass(frozen=True)
class Rubric:
    seed: int
    examples_per_property: int
    points: dict  # op key -> {property name: points}, in the contract's order

    def graded(self, op_key: str):
        """(Property, points) for every graded property of an op, in the declared order."""
        chosen = self.points.get(op_key, {})
        return [(prop, chosen[prop.name]) for prop in PROPERTIES[op_key] if chosen.get(prop.name, 0) > 0]

    def op_max(self, op_key: str) -> float:
        return sum(points for _, points in self.graded(op_key))

    @property
    def max_score(self) -> float:
        return sum(self.op_max(op.key) for op in OPS)

    def seed_for(self, prop) -> int:
        """Each property gets its own seed, derived from the rubric's: stable across runs."""
        return (self.seed * 1_000_003 + zlib.crc32(prop.id.encode())) % 2**32


def load_rubric(path=None) -> Rubric:
    path = Path(path) if path else DEFAULT_RUBRIC
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RubricError(f"rubric file not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RubricError(f"rubric {path} cannot be read: {error}") from None
    grading, points = data.get("grading", {}), data.get("points", {})
    unknown = set(data) - {"grading", "points"}
    if unknown:
        raise RubricError(f"rubric {path}: unknown section(s) {sorted(unknown)}; expected [grading] and [points.<op>]")
    seed, examples = grading.get("seed", 0), grading.get("examples_per_property", 40)
    if not isinstance(seed, int) or not isinstance(examples, int) or examples < 1:
        raise RubricError(f"rubric {path}: [grading] seed must be an integer and examples_per_property >= 1")
    ordered = {}
    for op in OPS:
        table = points.get(op.key, {})
        known = {prop.name for prop in PROPERTIES[op.key]}
        for name, value in table.items():
            if name not in known:
                raise RubricError(f"rubric {path}: [points.{op.key}] has no property '{name}'; "
                                  f"known: {', '.join(sorted(known))}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise RubricError(f"rubric {path}: [points.{op.key}] {name} must be a number >= 0")
        ordered[op.key] = dict(table)
    stray = set(points) - {op.key for op in OPS}
    if stray:
        raise RubricError(f"rubric {path}: unknown op(s) {sorted(stray)}; known: {', '.join(op.key for op in OPS)}")
    return Rubric(seed, examples, ordered)
