"""What the sandbox worker imports before the user drop, and what an import after it says.

As root, the worker drops to a user of its own (policy.py), who may not be able to read the
Python installation: it may live under /root or in a ``mktemp -d`` clone (mode 0700). So,
before the drop, the worker imports what the submission's source names (`imported_names`,
`preload`); an import nobody could foresee (a name built at run time) that then meets an
unreadable folder fails with a message naming the folder and the fix (`UnreadableFinder`),
never a bare "No module named 'random'". Blocked modules are then taken out of
``sys.modules`` (`forget_blocked`) so that importing one always reaches the audit hook.

Loaded by path by the worker (worker.py): the standard library only.
"""

import ast
import contextlib
import importlib
import importlib.util
import os
import stat
import sys
import time

# Modules a submission may name that are imported before the user drop: pure computation.
PRELOADABLE = frozenset({
    "__future__", "abc", "array", "bisect", "cmath", "collections", "contextlib", "copy", "dataclasses",
    "datetime", "decimal", "enum", "fractions", "functools", "gc", "heapq", "inspect", "io", "itertools",
    "json", "linecache", "logging", "math", "numbers", "operator", "os", "pprint", "queue", "random", "re",
    "statistics", "string", "struct", "sys", "textwrap", "threading", "time", "traceback", "types",
    "typing", "warnings", "weakref",
})
# Any other standard-library module a submission names is preloaded too (after the user drop
# the Python installation may be unreadable, e.g. under /root, and a correct submission must not
# lose points for `import glob`), except these: processes, sockets, native code, signals. Their
# use is refused by the policy anyway; leaving them unimported keeps the attack surface small.
NEVER_PRELOAD = frozenset({
    "ctypes", "subprocess", "socket", "socketserver", "ssl", "multiprocessing", "concurrent", "signal",
    "pty", "tty", "termios", "fcntl", "resource", "mmap", "asyncio", "selectors", "select", "http",
    "urllib", "ftplib", "smtplib", "telnetlib", "xmlrpc", "webbrowser", "pdb", "code", "codeop",
    "importlib", "runpy", "pkgutil", "zipimport", "site", "sysconfig", "ensurepip", "venv", "idlelib",
    "tkinter", "turtle", "turtledemo", "curses", "readline", "shutil", "tempfile",
    "antigravity", "this",   # they open a browser or print when imported: only under the student's import
})
PRELOAD_SECONDS = 10.0      # of imports before the drop at most (the worker has 30 s to start)
RUN_CELL = "__run_cell__"   # the function a notebook's module runs each cell with (grader/submission.py)
NUMPY_LAZY = frozenset({"char", "emath", "fft", "lib", "linalg", "ma", "polynomial", "random", "rec",
                        "strings", "testing"})


def imported_names(source: str, depth: int = 0) -> set:
    """The dotted module names `source` may import: its import statements (``from a import b``
    gives ``a`` and ``a.b``), string arguments of ``importlib.import_module``/``__import__``,
    attribute chains on an imported name (``np.lib.stride_tricks.x`` gives ``numpy.lib`` and
    ``numpy.lib.stride_tricks``: NumPy loads some submodules on first attribute access), and any
    attribute named like one of NumPy's lazy submodules; the same in each notebook cell (a string
    passed to ``__run_cell__``). Names that are no module fail harmlessly."""
    if len(source) > 1 << 20:
        return set()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    wanted, bound = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                wanted.add(alias.name)
                bound[alias.asname or alias.name.partition(".")[0]] = alias.name if alias.asname else \
                    alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            wanted.add(node.module)
            for alias in node.names:
                wanted.add(f"{node.module}.{alias.name}")
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, str):
            called = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if called in ("import_module", "__import__"):
                wanted.add(node.args[0].value)
            elif called == RUN_CELL and depth == 0:   # a notebook cell, as grader/submission.py writes it
                wanted |= imported_names(node.args[0].value, depth + 1)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in NUMPY_LAZY:
                wanted.add(f"numpy.{node.attr}")
            chain, root = [], node
            while isinstance(root, ast.Attribute):
                chain.append(root.attr)
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound and len(chain) <= 4:
                name = bound[root.id]
                for attr in reversed(chain):
                    name += "." + attr
                    wanted.add(name)
    return {name for name in wanted if len(name) < 200}


def readable_by(path: str, user, listed_from: str) -> bool:
    """Whether `user` ((uid, gid), no supplementary groups: policy.drop_privileges) can import
    the module at `path`, judged by mode bits: every folder above `listed_from` searchable, every
    folder from `listed_from` down readable and searchable (the import system lists them), the
    file readable."""
    uid, gid = user
    path, listed_from = os.path.realpath(path), os.path.realpath(listed_from)
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        here = "/".join(parts[:depth]) or "/"
        try:
            info = os.stat(here)
        except OSError:
            return False
        shift = 6 if info.st_uid == uid else 3 if info.st_gid == gid else 0
        if not stat.S_ISDIR(info.st_mode):
            need = 0o4
        else:
            need = 0o5 if (here + "/").startswith(listed_from + "/") else 0o1
        if (info.st_mode >> shift) & need != need:
            return False
    return True


def preloadable(name: str, installed: tuple, private: tuple, blocked: frozenset, user=None) -> bool:
    """Whether the worker imports `name` before the user drop: standard-library modules but the
    ones for processes, sockets, native code or side effects, NumPy's modules, and any other
    package of the Python installation only if `user` (the sandbox user, None if the worker
    keeps its user) cannot read it or the standard library: such a package then runs its import
    as the grader's user, so it is imported only when there is no other way. Never the grader, a blocked module, a
    ``__main__`` (which runs a program), or anything under a private folder."""
    top = name.partition(".")[0]
    parts = name.split(".")
    if top in NEVER_PRELOAD or top in blocked or "__main__" in parts or not all(p.isidentifier() for p in parts):
        return False
    if top in PRELOADABLE or top in sys.stdlib_module_names or top == "numpy" or top in sys.modules:
        return True
    if user is None:
        return False
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    package = getattr(spec, "submodule_search_locations", None)
    origin = getattr(spec, "origin", None) or next(iter(package or []), "")
    if not isinstance(origin, str) or not origin:
        return False
    origin = os.path.realpath(origin)
    entry = os.path.dirname(os.path.dirname(origin) if package else origin)   # its sys.path folder
    if not any(origin.startswith(folder + "/") for folder in installed) or \
            any(origin.startswith(folder + "/") for folder in private):
        return False
    # The package's own imports of the standard library need it readable too.
    return not readable_by(origin, user, entry) or not readable_by(os.__file__, user, os.path.dirname(os.__file__))


def preload(source: str, installed: tuple, private: tuple, blocked: frozenset, user=None) -> None:
    """Import, as whoever started the worker, what `source` may import (see `imported_names`):
    after the user drop the Python installation may be unreadable (under /root, in a 0700
    folder), and a correct file must not fail on ``from numpy.typing import NDArray``. Stops
    after `PRELOAD_SECONDS`, well within the worker's start-up time; whatever a module's import
    raises (even SystemExit) is ignored: the student's own import will meet it again."""
    deadline = time.monotonic() + PRELOAD_SECONDS
    for name in sorted(imported_names(source)):
        if time.monotonic() > deadline:
            return
        if preloadable(name, installed, private, blocked, user):
            with contextlib.suppress(BaseException):
                importlib.import_module(name)


def forget_blocked(blocked: frozenset) -> None:
    """Take blocked modules out of ``sys.modules`` (a fork server imported ``socket``; a preloaded
    package may import ``subprocess``), so the student's ``import`` of one reaches the audit hook,
    which refuses it, in every kind of worker alike. Their functions stay refused by their events."""
    for name in list(sys.modules):
        if name.partition(".")[0] in blocked:
            del sys.modules[name]


class UnreadableFinder:
    """The last finder on ``sys.meta_path`` after the user drop: an import that no other finder
    could satisfy, of a module that exists but lies in a folder this user cannot read, fails
    with a message that says so (instead of "No module named 'random'", which points nowhere)."""

    def __init__(self, top_level: dict):
        self.top_level = top_level   # top-level module name -> the sys.path folder it was found in

    def find_spec(self, name, path=None, target=None):
        folders = list(path) if path is not None else \
            [self.top_level[name]] if name in self.top_level else []
        for folder in folders:
            if isinstance(folder, str) and not os.access(folder, os.R_OK | os.X_OK):
                raise ModuleNotFoundError(
                    f"the sandbox cannot import {name}: its user (uid {os.getuid()}) cannot read {folder}; "
                    f"the grader must be installed where every user can read it (not under /root or a "
                    f"0700 folder), or run as a user who can read it", name=name)
        return None


def top_level_modules() -> dict:
    """Top-level module name -> the sys.path folder holding it, listed before the user drop."""
    found = {}
    for folder in sys.path:
        with contextlib.suppress(OSError, TypeError):
            for entry in os.listdir(folder):
                name = entry.partition(".")[0]
                if name.isidentifier():
                    found.setdefault(name, folder)
    return found
