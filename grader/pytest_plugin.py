"""The pytest plugin behind the students' public tests (registered by entry point).

A public test file stays two lines::

    from grader.pytest_plugin import property_tests
    test_backprop = property_tests()

which makes one test per property of the rubric, for each op (ids like ``matmul-square``), so
``pytest -k matmul`` and ``pytest --op matmul`` focus one op. Each test runs that property's
examples (the same seeds, shapes and ranges as the hidden grader) against the student's
``ops.py``, in-process, with the `Numeric` oracle: central differences of the *given* forward,
so no reference solution is needed or shipped. A failure prints the feedback the hidden grader
would give, without a traceback.
"""

from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("backprop", "backprop homework public tests")
    group.addoption("--op", action="append", default=[], metavar="OP",
                    help="only test this op (mul, add, max, sigmoid, matmul, softmax_ce, embedding); repeatable")
    group.addoption("--submission", metavar="PATH", default=None,
                    help="the ops.py to test (default: backprop/ops.py, else ops.py, under the rootdir)")


def property_tests():
    """The public test function, parametrized over every graded property."""
    from .rubric import load_rubric

    rubric = load_rubric()
    ids = [prop.id for op_key in rubric.points for prop, _ in rubric.graded(op_key)]

    @pytest.mark.parametrize("property_id", ids, ids=[i.replace(".", "-") for i in ids])
    def test_property(property_id, backprop_checker):
        backprop_checker(property_id)

    return test_property


def pytest_collection_modifyitems(config, items):
    wanted = set(config.getoption("--op"))
    if not wanted:
        return
    from .contract import OP_BY_KEY

    unknown = wanted - set(OP_BY_KEY)
    if unknown:
        raise pytest.UsageError(f"--op {', '.join(sorted(unknown))}: unknown op; choose from {', '.join(OP_BY_KEY)}")
    keep, drop = [], []
    for item in items:
        property_id = getattr(item, "callspec", None) and item.callspec.params.get("property_id")
        (drop if property_id and property_id.split(".")[0] not in wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _submission_path(config) -> Path:
    chosen = config.getoption("--submission")
    if chosen:
        return Path(chosen)
    root = Path(config.rootpath)
    for candidate in (root / "backprop" / "ops.py", root / "ops.py"):
        if candidate.exists():
            return candidate
    return root / "backprop" / "ops.py"


class PublicChecker:
    """Runs one property at a time against the student's file; built once per session."""

    def __init__(self, submission_path: Path):
        from .bank import Bank
        from .oracles import Numeric
        from .paths import given_path, load_trusted
        from .rubric import load_rubric
        from .runners import InProcessRunner
        from .submission import read_submission

        self.submission = read_submission(submission_path)
        self.rubric = load_rubric()
        self.oracle = Numeric(load_trusted(given_path(), "backprop_given"))
        self.bank = Bank(self.oracle, self.rubric)
        # The student's own machine: their code runs in this process, like any unit test.
        self.runner = InProcessRunner(self.submission.source, self.submission.filename)

    def __call__(self, property_id: str):
        from .cases import PROPERTY_BY_ID
        from .contract import OP_BY_KEY
        from .grade import check_property

        prop = PROPERTY_BY_ID[property_id]
        result = check_property(prop, OP_BY_KEY[prop.op], self.runner, self.oracle, self.rubric, self.bank)
        if not result.passed:
            header = f"{prop.id} ({prop.doc}) failed"
            pytest.fail(f"{header}\n{result.feedback}", pytrace=False)


@pytest.fixture(scope="session")
def backprop_checker(request):
    from .submission import SubmissionError

    try:
        return PublicChecker(_submission_path(request.config))
    except SubmissionError as error:
        pytest.fail(f"{error} (pass --submission PATH)", pytrace=False)
