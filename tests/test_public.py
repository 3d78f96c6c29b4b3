"""The students' side: public tests and `grader check` agree with the hidden grader.

Passing every public test must mean full marks: every property of every wrong implementation
gets the same verdict from both, and every correct one passes all (tests/test_oracle_agreement.py
searches the edge of the tolerance for disagreements).
"""

import subprocess
import sys

import pytest

from grader.core.bank import Bank
from grader.core.grade import grade
from grader.core.oracles import Numeric
from grader.paths import given_path, load_trusted
from grader.run.in_process import InProcessRunner

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, snippet_op, with_snippet

PUBLIC_TESTS = ROOT / "assignments" / "backprop" / "test_backprop.py"


@pytest.fixture(scope="module")
def public_grade(rubric):
    oracle = Numeric(load_trusted(given_path(), "backprop_given_tests"))
    bank = Bank(oracle, rubric)
    return lambda source: grade("ops.py", InProcessRunner(source), oracle, rubric, bank, shrink=False)


@pytest.mark.parametrize("snippet", sorted((CORPUS / "wrong").glob("*.py")), ids=lambda p: p.stem)
def test_every_property_gets_the_same_verdict_from_the_public_tests(snippet, public_grade, grade_source):
    """Not only the op's score: each property passes in public exactly when it passes hidden."""
    source, op = with_snippet(snippet), snippet_op(snippet)
    hidden, public = grade_source(source), public_grade(source)
    verdicts = [{c.name: c.passed for c in report.ops[op].checks} for report in (hidden, public)]
    assert verdicts[0] == verdicts[1]
    assert public.score == hidden.score


@pytest.mark.parametrize("snippet", sorted((CORPUS / "correct").glob("*.py")), ids=lambda p: p.stem)
def test_correct_code_passes_every_public_test(snippet, public_grade):
    assert public_grade(with_snippet(snippet)).score == 100


def pytest_run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PUBLIC_TESTS), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_public_tests_pass_on_the_reference():
    result = pytest_run("--submission", "solutions/backprop/ops.py")
    assert result.returncode == 0 and "34 passed" in result.stdout, result.stdout[-2000:]


def test_stub_tests_say_not_implemented_without_a_traceback():
    result = pytest_run("--submission", "assignments/backprop/ops.py", "--op", "mul")
    assert result.returncode == 1 and "5 failed" in result.stdout
    assert "Mul.backward is not implemented yet" in result.stdout
    assert "Traceback" not in result.stdout and "raise NotImplementedError" not in result.stdout


def test_op_selection_and_its_errors():
    result = pytest_run("--submission", "tests/samples/broken/ops.py", "-k", "embedding")
    # repeated_indices and multi_dim_indices; no_mutation draws repeated indices too, but judges
    # values only on unique ones
    assert "2 failed, 3 passed" in result.stdout, result.stdout[-2000:]
    assert "indices = shape (2,): [0, 0]" in result.stdout
    result = pytest_run("--op", "relu")
    assert result.returncode != 0 and "unknown op" in result.stderr


def test_grader_check_previews_the_score(tmp_path):
    (tmp_path / "backprop").mkdir()
    (tmp_path / "backprop" / "ops.py").write_text(SOLUTION_SOURCE)
    result = subprocess.run([sys.executable, "-m", "grader", "check", "-q"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "100/100" in result.stdout and "final grade comes from your instructor" in result.stdout
