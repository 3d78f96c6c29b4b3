"""The op registry: the kit's built-in op modules, or the ops a course folder declares.

A course folder holds ``course.toml``::

    [course]
    builtins = true          # true (default), false, or a list of built-in op keys to keep

    [[ops]]
    module = "tanh.py"                # an op module: defines OP, an OpSpec
    reference = "tanh_reference.py"   # the trusted reference: defines class OP.class_name

An op whose key is a built-in's replaces it in its place; the others follow, in the order
listed. `select` picks the folder given, else ``$GRADER_COURSE``, else the course a students'
release packs (grader/course/, written by ``grader release --course``; its entries have no
``reference``, and its given forwards are in grader/given_ops.py), else the built-ins. Whatever
is wrong with a folder is one `CourseError` line (a UsageError: exit 2), raised before anything
is graded. The references are loaded only where `Course.reference` is called: the grading
process, never a student's.
"""

import functools
import hashlib
import importlib
import os
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path

from ..core.contract import Contract, OpSpec
from ..core.rubric import load_rubric
from ..errors import UsageError
from ..paths import given_path, load_trusted, solutions_path
from ..i18n import _

# The built-in op modules of grader/ops/, in the order reports and handouts list them.
BUILTIN_MODULES = ("mul", "add", "max", "sigmoid", "matmul", "softmax_ce", "embedding")
COURSE_ENV = "GRADER_COURSE"
PACKED = Path(__file__).resolve().parent.parent / "course"  # the course a students' release carries


class CourseError(UsageError):
    """A course folder that cannot be used; the message is one line for the instructor."""


@dataclass(frozen=True, eq=False)
class Course:
    """The ops of one course, where their trusted references are, and the folder they came from."""

    contract: Contract
    references: dict          # op key -> the reference class file of a course op
    folder: Path = None       # None: the kit's built-in ops only
    modules: dict = None      # op module file -> its op key, for a course's own ops
    parts: dict = None        # parts graded beside the ops: {key: {property: default points}} (the capstone)

    def rubric(self, path=None):
        """The rubric for these ops: `path`'s (a RubricError if unusable), or the declared defaults."""
        return load_rubric(self.contract, path, self.parts)

    @property
    def builtin_keys(self) -> tuple:
        """The ops whose classes come from the kit's files (the reference solutions, the given ops.py)."""
        return tuple(op.key for op in self.contract if op.key not in self.references)

    def reference(self):
        """The trusted reference classes of every op, by class name (a module). Grading process only."""
        return self._combined(solutions_path(), "backprop_reference")

    def given(self):
        """The trusted given forward of every op (what the Numeric oracle differentiates), as a module.

        A course op's given forward is its reference's: the stubs keep ``forward`` verbatim."""
        return self._combined(given_path(), "backprop_given")

    def _combined(self, builtin_path, name):
        builtin = load_trusted(builtin_path, name) if self.builtin_keys else None
        absent = [op.class_name for op in self.contract if op.key in self.builtin_keys
                  and not isinstance(getattr(builtin, op.class_name, None), type)]
        if absent:
            raise CourseError((_("{builtin_path} has no class {join}: give each course op a reference in "
                                 "course.toml")
                               .format(builtin_path=builtin_path, join=', '.join(absent))))
        if not self.references:
            return builtin
        combined = types.ModuleType(f"course_{name}")
        # The bank's key hashes this file; the course's own files enter it through the rubric.
        combined.__file__ = str(builtin_path if builtin is not None else next(iter(self.references.values())))
        if builtin is not None:
            combined.__dict__.update({key: value for key, value in vars(builtin).items() if not key.startswith("__")})
        for key, path in self.references.items():
            op = self.contract[key]
            try:
                module = load_trusted(path, f"course_reference_{key}")
            except Exception as error:  # noqa: BLE001 - any failure of the instructor's file is one line
                raise CourseError((_("course reference {path} cannot be loaded: {name}: {error}")
                                   .format(path=path, name=type(error).__name__, error=error))) from None
            if not isinstance(getattr(module, op.class_name, None), type):
                raise CourseError((_("course reference {path} has no class {class_name}")
                                   .format(path=path, class_name=op.class_name)))
            setattr(combined, op.class_name, getattr(module, op.class_name))
        return combined


def _builtin_ops() -> tuple:
    return tuple(importlib.import_module(f"{__package__}.{name}").OP for name in BUILTIN_MODULES)


def builtin() -> Course:
    """The kit's own ops, and the capstone built on them (a course folder's ops have none)."""
    from .capstone import PARTS

    return Course(Contract(_builtin_ops(), rebuild=functools.partial(contract_of, "")), {}, parts=PARTS)


def contract_of(folder: str) -> Contract:
    """The Contract of a course folder ("" for the kit's ops), as another process rebuilds it."""
    return (load_course(folder) if folder else builtin()).contract


def of_contract(contract) -> Course:
    """The course a contract came from (a grading process handed only the rubric finds its references)."""
    return load_course(contract.folder) if contract.folder else builtin()


def select(folder=None) -> Course:
    """The course of `folder`, else of ``$GRADER_COURSE``, else the built-ins."""
    folder = folder or os.environ.get(COURSE_ENV) or (PACKED if (PACKED / "course.toml").is_file() else None)
    return load_course(folder) if folder else builtin()


def _read_toml(folder: Path) -> dict:
    if not folder.is_dir():
        raise CourseError(_("course folder not found: {folder}").format(folder=folder))
    path = folder / "course.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseError(_("course folder {folder} has no course.toml").format(folder=folder)) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CourseError(_("course file {path} cannot be read: {error}").format(path=path, error=error)) from None


def _file(folder: Path, entry: dict, field: str, where: str) -> Path:
    value = entry.get(field)
    if not isinstance(value, str) or not value:
        raise CourseError((_("{where}: {field} must be a file name relative to the course folder")
                           .format(where=where, field=field)))
    path = (folder / value).resolve()
    if not path.is_file():
        raise CourseError(_("{where}: {field} file not found: {path}").format(where=where, field=field, path=path))
    return path


def load_op_module(path: Path, where: str) -> OpSpec:
    """The OP an op module declares (an instructor's file: trusted, imported like ours)."""
    try:
        module = load_trusted(path, f"course_op_{path.stem}")
    except Exception as error:  # noqa: BLE001 - any failure of the instructor's file is one line
        raise CourseError((_("{where}: op module {path} cannot be imported: {name}: {error}")
                           .format(where=where, path=path, name=type(error).__name__, error=error))) from None
    op = getattr(module, "OP", None)
    if not isinstance(op, OpSpec):
        raise CourseError(_("{where}: op module {path} defines no OP = OpSpec(...)").format(where=where, path=path))
    if not op.properties:
        raise CourseError(_("{where}: op {key} declares no properties").format(where=where, key=op.key))
    if any(prop.op != op.key for prop in op.properties):
        raise CourseError(_("{where}: op {key} declares a property of another op").format(where=where, key=op.key))
    stray = set(op.points) - {prop.name for prop in op.properties}
    if stray:
        raise CourseError((_("{where}: op {key} gives points to unknown properties {sorted}")
                           .format(where=where, key=op.key, sorted=sorted(stray))))
    return op


def load_course(folder) -> Course:
    """The course a folder declares (module docstring); CourseError, one line, if it cannot be used."""
    folder = Path(folder).resolve()
    data = _read_toml(folder)
    toml = folder / "course.toml"
    unknown = set(data) - {"course", "ops"}
    if unknown:
        raise CourseError((_("course file {toml}: unknown section(s) {sorted}; expected [course] and [[ops]]")
                           .format(toml=toml, sorted=sorted(unknown))))
    settings, entries = data.get("course", {}), data.get("ops", [])
    if not isinstance(settings, dict) or not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CourseError((_("course file {toml}: [course] must be a table and [[ops]] an array of tables")
                           .format(toml=toml)))
    stray = set(settings) - {"builtins", "name"}
    if stray:
        raise CourseError((_("course file {toml}: [course] has unknown key(s) {sorted}; known: builtins, name")
                           .format(toml=toml, sorted=sorted(stray))))
    builtins = _builtins_kept(settings.get("builtins", True), toml)
    ops = {op.key: op for op in builtins}
    references, seen, modules = {}, set(), {}
    for number, entry in enumerate(entries, 1):
        where = _("course file {toml}, op {number}").format(toml=toml, number=number)
        stray = set(entry) - {"module", "reference"}
        if stray:
            raise CourseError((_("{where}: unknown key(s) {sorted}; known: module, reference")
                               .format(where=where, sorted=sorted(stray))))
        op = load_op_module(_file(folder, entry, "module", where), where)
        if op.key in seen:
            raise CourseError(_("{where}: op {key} is declared twice").format(where=where, key=op.key))
        seen.add(op.key)
        if "reference" in entry:  # a students' release packs none: its given forwards are in given_ops.py
            references[op.key] = _file(folder, entry, "reference", where)
        ops[op.key] = op  # a built-in's key: replaced in its place
        modules[str(folder / entry["module"])] = op.key
    if not ops:
        raise CourseError(_("course file {toml}: the course has no op").format(toml=toml))
    sources = [toml] + [folder / entry[field] for entry in entries for field in ("module", "reference") if field in entry]
    contract = Contract(tuple(ops.values()), _digest(sources), str(folder), functools.partial(contract_of, str(folder)))
    return Course(contract, references, folder, modules)


def _digest(paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _builtins_kept(value, toml) -> tuple:
    every = _builtin_ops()
    if value is True:
        return every
    if value is False:
        return ()
    keys = [op.key for op in every]
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        raise CourseError((_("course file {toml}: [course] builtins must be true, false or a list of op keys")
                           .format(toml=toml)))
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise CourseError((_("course file {toml}: [course] builtins: unknown op(s) {unknown}; known: {join}")
                           .format(toml=toml, unknown=unknown, join=', '.join(keys))))
    return tuple(op for op in every if op.key in value)


def add_course_argument(parser) -> None:
    """The ``--course DIR`` option every front end takes (default: ``$GRADER_COURSE``, else the kit's ops)."""
    parser.add_argument("--course", metavar="DIR",
                        help=_("a course folder with course.toml: its ops (default: ${env}, else the kit's)").format(env=COURSE_ENV))
