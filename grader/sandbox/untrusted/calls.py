"""What a student's code returned or raised, reduced to plain data before anyone judges it.

Only ndarrays (copied, subclasses stripped), ``None`` and the *name* of any other type survive.
This runs on the side that executed the student's code (in-process, or the sandbox worker), so
nothing the student returned (a subclass, a generator, an object with a clever ``__eq__``) ever
reaches the judge. NumPy and the standard library only.
"""

import hashlib
import importlib.util
import linecache
import sys
from dataclasses import dataclass, field

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


def student_line(error: BaseException, filenames) -> str:
    """" (ops.py, line 41)": the last frame of `error` in the student's file, or in any of
    `filenames` (one name or several), or ""."""
    # The traceback's own line numbers, walked directly: traceback.extract_tb would also read every
    # frame's source line, a tenth of a worker's time on a class whose wrong answers raise.
    names = (filenames,) if isinstance(filenames, str) else tuple(filenames)
    name, line, tb = "", 0, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in names:
            name, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return f" ({name}, line {line})" if line else ""


def describe_exception(error: BaseException, where: str, filename: str) -> str:
    """"Cls.backward raised ValueError: shapes ... (ops.py, line 41)": one line, the student's last frame."""
    try:
        text = str(error).strip()
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
        text = ""
    message = text.splitlines()[0] if text else ""
    name = type(error).__name__
    return f"{where} raised {name}{': ' + message if message else ''}{student_line(error, filename)}"[:500]


class SourceLoader:
    """The loader of a student's module: it holds the source text, so that ``inspect.getsource``,
    tracebacks and ``linecache`` show the student's lines wherever the file itself is (or is not)."""

    def __init__(self, source: str):
        self.source = source

    def get_source(self, name):
        return self.source

    def create_module(self, spec):
        return None   # the default module object

    def exec_module(self, module):  # importlib's protocol; load_module executes the code itself
        raise ImportError("a student's module is executed by returns.load_module")


def module_name(source: str, filename: str) -> str:
    """The module's name: the same for the same file in every runner (so reports agree byte for
    byte), distinct for different files in one process, and never "__main__" (so an ``if
    __name__ == "__main__":`` self-test never runs) nor the name of a real module."""
    digest = hashlib.sha256(f"{filename}\0{source}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"student_ops_{digest[:12]}"


def load_module(source: str, filename: str):
    """Execute the student's source as an import would: (module, "") or (None, one-line error).

    The module gets what a clean import gives it: a name that is not "__main__", ``__file__``,
    a spec and a loader (which serves the source to ``inspect`` and ``linecache``), and an entry
    in ``sys.modules`` while it executes and after, which dataclasses, ``typing.get_type_hints``,
    ``functools.singledispatch`` and ``inspect`` look it up by. A failed import removes the entry,
    as the import system does. `unload` removes it when the runner is done (the name is
    `module_name(source, filename)`).
    """
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as error:
        return None, f"{filename} does not compile: {error.msg} (line {error.lineno})"
    except (ValueError, MemoryError, RecursionError) as error:
        return None, f"{filename} does not compile: {error}"
    name = module_name(source, filename)
    spec = importlib.util.spec_from_loader(name, SourceLoader(source), origin=filename)
    spec.has_location = True   # __file__ is where the source came from, as for a file on disk
    module = importlib.util.module_from_spec(spec)
    module.__file__ = filename
    linecache.cache.pop(filename, None)   # a previous file of the same name must not show its lines
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException as error:  # noqa: BLE001 - any failure of student code
        unload(name, module)
        return None, describe_exception(error, f"importing {filename}", filename)
    return module, ""


def unload(name: str, module) -> None:
    """Forget the module `load_module` made under `name`, unless another load of the same file
    has replaced it. The name is ours, never read from the module (the student may change it)."""
    if sys.modules.get(name) is module:
        del sys.modules[name]


OUTPUT_CAP = 20_000  # characters of student stdout/stderr kept for feedback


@dataclass
class Outcome:
    """What one example did: forward's output, each backward call's value, or an error."""

    output: object = None                       # ndarray or Foreign
    returns: list = field(default_factory=list)  # one Returned per backward call made
    inputs_after: tuple = ()                    # the inputs as they were after the calls
    grad_outs_after: tuple = ()
    error: str = ""                             # one line: "Cls.backward raised ValueError: ..."
