"""Shared fixtures: one bank per test session, and helpers to grade source text in-process."""

from pathlib import Path

import pytest

from grader.core.bank import Bank
from grader.core.grade import grade
from grader.core.oracles import Reference
from grader.paths import load_trusted, solutions_path
from grader.ops import load_rubric
from grader.run.in_process import InProcessRunner
from scheduling import pytest_collection_modifyitems  # noqa: F401 (a hook: how xdist shares the suite)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SOLUTION_SOURCE = solutions_path().read_text(encoding="utf-8")
STUB_SOURCE = (ROOT / "assignments" / "backprop" / "ops.py").read_text(encoding="utf-8")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes tens of seconds (deselect with -m 'not slow')")
    # Set by scheduling.group_by_file; registered here too for a run without pytest-xdist.
    config.addinivalue_line("markers", "xdist_group(name): run in one pytest-xdist worker with its group")


@pytest.fixture(autouse=True)
def numpy_print_options_restored():
    """Code graded in-process may set NumPy's print options; they must not reach the next test
    (a doctest of printed arrays failed after one, once xdist changed which test came first)."""
    import numpy as np

    with np.printoptions():
        yield


@pytest.fixture(scope="session")
def rubric():
    return load_rubric()


@pytest.fixture(scope="session")
def reference():
    return Reference(load_trusted(solutions_path(), "backprop_reference_tests"))


@pytest.fixture(scope="session")
def bank(reference, rubric):
    return Bank(reference, rubric)


@pytest.fixture(scope="session")
def grade_source(reference, rubric, bank):
    """grade_source(source, shrink=False) -> Report, in-process, on the session's bank."""

    def run(source, shrink=False, filename="ops.py"):
        runner = InProcessRunner(source, filename)
        try:
            return grade(filename, runner, reference, rubric, bank, shrink=shrink)
        finally:
            runner.close()

    return run


def with_snippet(snippet_path: Path) -> str:
    """The reference solution with one class overridden by a corpus snippet."""
    return SOLUTION_SOURCE + "\n\n" + snippet_path.read_text(encoding="utf-8")


def snippet_op(snippet_path: Path) -> str:
    return snippet_path.name.split("__")[0]
