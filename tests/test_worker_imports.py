"""What the sandbox worker imports before it drops to its user (grader/sandbox/imports.py).

The names a source may import are found statically; what is imported as the grader's user is
bounded (no ``__main__``, no blocked module, third-party packages only when the sandbox user
could not import them itself); an import that then meets an unreadable folder says so.
"""

import importlib.util
import os
import sys
import tempfile

import numpy as np
import pytest

from conftest import ROOT, SOLUTION_SOURCE
from grader.ops import OPS
from grader.run.submission import cell_module
from grader.sandbox.sandbox_runner import SandboxRunner

spec = importlib.util.spec_from_file_location("test_sandbox_imports", ROOT / "grader/sandbox/untrusted/imports.py")
imports = importlib.util.module_from_spec(spec)
spec.loader.exec_module(imports)
policy_spec = importlib.util.spec_from_file_location("test_imports_policy", ROOT / "grader/sandbox/untrusted/policy.py")
policy = importlib.util.module_from_spec(policy_spec)
policy_spec.loader.exec_module(policy)

INSTALLED = tuple(os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(np.__file__))))
NOBODY = (65534, 65534)


def test_the_names_a_source_may_import_are_found_statically():
    source = ("import numpy as np\nimport numpy.linalg as la\nfrom numpy.typing import NDArray\n"
              "import importlib\nx = np.lib.stride_tricks.as_strided\ny = la.norm\n"
              "importlib.import_module('fractions')\n__import__('decimal')\nz = self.fft\n")
    names = imports.imported_names(source)
    assert {"numpy", "numpy.linalg", "numpy.typing", "numpy.typing.NDArray", "numpy.lib",
            "numpy.lib.stride_tricks", "numpy.linalg.norm", "fractions", "decimal", "numpy.fft"} <= names


def test_each_notebook_cells_imports_are_found_too():
    module = cell_module([("1", "import statistics\nfrom numpy.typing import ArrayLike"), ("2", "import rich")],
                         "work.ipynb")
    assert {"statistics", "numpy.typing", "rich"} <= imports.imported_names(module)


def test_what_is_imported_as_the_graders_user_is_bounded(monkeypatch):
    # A worker has imported only NumPy and its own modules; other tests of this process may have
    # imported rich, which preloadable rightly takes as free.
    monkeypatch.delitem(sys.modules, "rich", raising=False)

    def allowed(name, user=NOBODY):
        return imports.preloadable(name, INSTALLED, (), policy.BLOCKED_MODULES, user)

    assert allowed("numpy.typing") and allowed("dataclasses") and allowed("json.decoder")
    for name in ("grader", "grader.core.bank", "socket", "ctypes", "subprocess", "antigravity", "this",
                 "unittest.__main__", "json.__main__", "no such module", "os.path/../x"):
        assert not allowed(name), name
    # A package the sandbox user can import itself is left to the student's own import.
    readable = imports.readable_by(os.__file__, NOBODY, os.path.dirname(os.__file__)) and \
        imports.readable_by(importlib.util.find_spec("rich").origin, NOBODY, os.path.dirname(os.path.dirname(
            importlib.util.find_spec("rich").origin)))
    assert allowed("rich") != readable
    assert not allowed("rich", user=None)   # the worker keeps the grader's user: nothing to foresee


def test_mode_bits_decide_what_the_sandbox_user_can_read():
    with tempfile.TemporaryDirectory() as folder:   # mode 0700, as mktemp -d makes it
        module = os.path.join(folder, "pkg", "__init__.py")
        os.makedirs(os.path.dirname(module), mode=0o755)
        open(module, "w").close()
        os.chmod(module, 0o644)
        assert not imports.readable_by(module, NOBODY, folder)
        os.chmod(folder, 0o711)
        assert not imports.readable_by(module, NOBODY, folder)   # the import system must list it
        os.chmod(folder, 0o755)
        assert imports.readable_by(module, NOBODY, folder)
        os.chmod(module, 0o600)
        assert not imports.readable_by(module, NOBODY, folder)


def test_a_module_that_exits_when_imported_never_stops_the_worker():
    source = ("import numpy as np\ntry:\n    import unittest.__main__\nexcept BaseException:\n    pass\n"
              + SOLUTION_SOURCE)
    runner = SandboxRunner(source, "ops.py", call_timeout=60.0, op_timeout=120.0)
    try:
        assert runner.load_error == "" or "unittest" in runner.load_error
        assert runner.missing(OPS[0]) == ""
    finally:
        runner.close()
