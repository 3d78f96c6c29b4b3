"""Hostile graph.py files in the sandbox: the capstone's requests cross the same wall as the ops'.

Each file in tests/capstone_corpus/hostile/ says on its first line what must happen
(``| expect: refused`` / ``type`` / ``value`` / ``error`` / ``full``). The capstone runs in the
ops' own worker, so the last test checks that a student's ops.py cannot stand in for its harness."""

from pathlib import Path

import pytest

from grader.ops import load_rubric
from grader.ops.capstone import oracle
from grader.ops.capstone.grade import grade_capstone
from grader.ops.capstone.runner import make_runner
from grader.run.submission import Submission
from test_capstone import GIVEN, GRAPH, OPS

HOSTILE = sorted(Path(__file__).with_name("capstone_corpus").joinpath("hostile").glob("*.py"))
PWNED = Path("/tmp/capstone_hostile_pwned")


@pytest.fixture(scope="module")
def graded():
    rubric, ref = load_rubric(), oracle.Reference()
    curve = ref.curve()

    def run(path, ops=OPS, graph=None):
        graph = graph if graph is not None else GIVEN + path.read_text(encoding="utf-8")
        runner = make_runner(Submission(Path("ops.py"), ops, "ops.py"), graph)
        try:
            return grade_capstone(runner, rubric, ref.grads, curve)
        finally:
            runner.close()
    return run


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_a_hostile_walker_is_contained_and_judged_on_what_it_returned(path, graded):
    PWNED.unlink(missing_ok=True)
    expect = path.read_text(encoding="utf-8").splitlines()[0].rpartition("expect: ")[2].strip()
    score = graded(path)
    assert not PWNED.exists()
    graph = [check for check in score.checks if check.name != "milestone"]
    if expect == "full":
        assert score.score == score.max_score
        assert "\x1b" in score.student_output   # kept as data; every renderer escapes it
    elif expect == "refused":
        assert all(check.kind == "error" and "PermissionError" in check.reason for check in graph)
        assert all("untrusted" not in check.reason and "capstone.py" not in check.reason for check in score.checks)
    elif expect == "value":   # whatever the harness was made to say, it is a claim judged on exact answers
        assert all(not check.passed for check in graph if check.name != "integer_inputs")
    else:
        assert all(check.kind == expect for check in graph)
        assert score.score == 0


def test_a_class_named_capstone_in_ops_py_does_not_replace_the_harness(graded):
    """The worker answers "Capstone" with its harness before any class of the student's module."""
    forged = OPS + (
        "\n\nclass Capstone:\n"
        "    def forward(self, program, *arrays):\n        return np.zeros(())\n"
        "    def backward(self, grad_out):\n        return (None,) * 200\n")
    score = graded(Path("unused"), ops=forged, graph=GRAPH)
    assert score.score == score.max_score


@pytest.fixture(scope="module")
def ops_context():
    from grader.core.context import GradingContext, hidden_oracle
    from grader.ops import registry

    course = registry.builtin()
    return GradingContext.build(hidden_oracle(course.reference()), course.rubric())


WRONG = sorted(Path(__file__).with_name("capstone_corpus").joinpath("wrong").glob("*.py"))


@pytest.mark.parametrize("path", WRONG + HOSTILE, ids=lambda p: p.stem)
def test_the_shared_worker_grades_the_ops_unchanged_beside_a_wrong_walker(path, ops_context):
    """One worker for both parts: a wrong or hostile graph.py costs no op point."""
    context = ops_context
    wrong = GIVEN + path.read_text(encoding="utf-8")
    runner = make_runner(Submission(Path("ops.py"), OPS, "ops.py"), wrong)
    try:
        report = context.grade("ops.py", runner)
    finally:
        runner.close()
    assert report.score == report.max_score == 100
