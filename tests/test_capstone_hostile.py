"""Hostile graph.py files in the sandbox: the capstone's requests cross the same wall as the ops'.

Each file in tests/capstone_corpus/hostile/ says on its first line what must happen
(``| expect: refused`` / ``type`` / ``full``)."""

from pathlib import Path

import pytest

from grader.ops import load_rubric
from grader.ops.capstone import oracle
from grader.ops.capstone.grade import grade_capstone
from grader.ops.capstone.runner import make_runner
from grader.run.submission import Submission
from test_capstone import GIVEN, OPS

HOSTILE = sorted(Path(__file__).with_name("capstone_corpus").joinpath("hostile").glob("*.py"))
PWNED = Path("/tmp/capstone_hostile_pwned")


@pytest.fixture(scope="module")
def graded():
    rubric, ref = load_rubric(), oracle.Reference()
    curve = ref.curve()

    def run(path):
        runner = make_runner(Submission(Path("ops.py"), OPS, "ops.py"), GIVEN + path.read_text(encoding="utf-8"))
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
    else:
        assert all(check.kind == expect for check in graph)
