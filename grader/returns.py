"""What a student's code returned or raised, reduced to plain data before anyone judges it.

Only ndarrays (copied, subclasses stripped), ``None`` and the *name* of any other type survive.
This runs on the side that executed the student's code (in-process, or the sandbox worker), so
nothing the student returned (a subclass, a generator, an object with a clever ``__eq__``) ever
reaches the judge. NumPy and the standard library only.
"""

import traceback
import types
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Foreign:
    """Something that is not an array: only its type's name is kept."""

    type_name: str


@dataclass(frozen=True)
class Returned:
    """The value of one ``backward`` call."""

    container: str             # "tuple", "list", or the name of whatever else came back
    entries: tuple = ()        # ndarray | None | Foreign, only for a tuple or a list


def to_array(value):
    """An ndarray copy of an array-like scalar or array; Foreign for anything else."""
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True, subok=False)
    if isinstance(value, (np.generic, float, int, complex)) and not isinstance(value, bool):
        return np.asarray(value)
    return Foreign(type(value).__name__)


def normalize(value) -> Returned:
    # A namedtuple or a list subclass is a tuple or a list: the contract accepts both.
    container = "tuple" if isinstance(value, tuple) else "list" if isinstance(value, list) else None
    if container:
        return Returned(container, tuple(None if v is None else to_array(v) for v in tuple(value)))
    return Returned(type(value).__name__)


# NumPy's default error handling. The given forward runs under it whatever the student's module
# set globally (np.seterr(all="raise") would make its deliberate exp underflow raise).
DEFAULT_ERRSTATE = dict(divide="warn", over="warn", under="ignore", invalid="warn")


def student_line(error: BaseException, filename: str) -> str:
    """" (ops.py, line 41)": where in the student's file the error was raised, or ""."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename == filename:
            return f" ({filename}, line {frame.lineno})"
    return ""


def describe_exception(error: BaseException, where: str, filename: str) -> str:
    """"Mul.backward raised ValueError: shapes ... (ops.py, line 41)": one line, the student's last frame."""
    try:
        text = str(error).strip()
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
        text = ""
    message = text.splitlines()[0] if text else ""
    name = type(error).__name__
    return f"{where} raised {name}{': ' + message if message else ''}{student_line(error, filename)}"[:500]


def load_module(source: str, filename: str):
    """Execute the student's source as a fresh module: (module, "") or (None, one-line error)."""
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as error:
        return None, f"{filename} does not compile: {error.msg} (line {error.lineno})"
    except (ValueError, MemoryError, RecursionError) as error:
        return None, f"{filename} does not compile: {error}"
    module = types.ModuleType("student_ops")
    module.__file__ = filename
    try:
        exec(code, module.__dict__)
    except BaseException as error:  # noqa: BLE001 - any failure of student code
        return None, describe_exception(error, f"importing {filename}", filename)
    return module, ""
