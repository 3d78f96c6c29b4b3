"""The feedback reads well: the likely mistake is said once in every medium, the terminal table
holds names and points and fits 80 columns, values within tolerance of 0 print as 0, and
pytest's output names each failure with its reason on lines that are not cut off."""

import io
import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from rich.console import Console

from grader.ops import OP_BY_KEY
from grader.core.feedback import LIKELY_MISTAKE, WHAT_DIFFERS, describe_failure
from grader.render.markdown import feedback_markdown
from grader.core.judge import Verdict
from grader.nbgrader.text import op_text
from grader.platforms import coursera
from grader.platforms import gradescope
from grader.platforms import prairielearn
from grader.render.terminal import render_feedback, render_table

from conftest import CORPUS, ROOT, with_snippet

BROKEN = (ROOT / "tests" / "samples" / "broken" / "ops.py").read_text(encoding="utf-8")
DIAGNOSED = [CORPUS / "wrong" / name for name in
             ("matmul__no_transpose_grad_a.py", "softmax_ce__missing_mean.py", "embedding__fancy_index_assign.py")]


@pytest.fixture(scope="module", params=DIAGNOSED, ids=lambda path: path.stem)
def diagnosed(request, grade_source):
    report = grade_source(with_snippet(request.param), shrink=True)
    failed = [check for op in report.ops.values() for check in op.checks if not check.passed]
    assert any(check.diagnosis for check in failed)  # else the tests below prove nothing
    return report, failed


# --- the likely mistake, once -------------------------------------------------------------------

def test_the_feedback_ends_with_the_likely_mistake_once(diagnosed):
    _, failed = diagnosed
    for check in failed:
        if check.diagnosis:
            assert check.feedback.count(check.diagnosis) == 1
            # a cause (it has an id) is a likely mistake; facts without a cause only say what differs
            label = LIKELY_MISTAKE if check.mistake else WHAT_DIFFERS
            assert check.feedback.endswith(label + check.diagnosis)
            assert "Diagnosis:" not in check.feedback


def test_each_platform_says_the_likely_mistake_once_per_check(diagnosed):
    report, failed = diagnosed
    tests = {test["name"]: test for test in gradescope.results(report, "visible", 1.0)["tests"]}
    pl_tests = {test["name"]: test for test in prairielearn.results(report)["tests"]}
    for check in failed:
        if not check.diagnosis:
            continue
        name = next(f"{key}.{check.name}" for key, op in report.ops.items() if check in op.checks)
        assert tests[name]["output"].count(check.diagnosis) == 1
        assert (pl_tests[name]["message"] + pl_tests[name]["output"]).count(check.diagnosis) == 1
    feedback = coursera.feedback(report)["feedback"]
    for block in feedback.split("\n\n")[1:]:
        assert block.count(LIKELY_MISTAKE) <= 1


def test_feedback_markdown_and_notebook_say_it_once_per_check(diagnosed):
    report, _ = diagnosed
    markdown = feedback_markdown("student", json.loads(json.dumps(report.to_json())))
    for section in markdown.split("\n### ")[1:]:
        assert section.count("ikely mistake") <= 1, section
    for op in report.ops.values():
        for block in re.split(r"\n  (?:PASS|FAIL) ", op_text(op.key, op)):
            assert block.count(LIKELY_MISTAKE) <= 1 and "Diagnosis:" not in block, block


# --- the terminal at 80 and 120 columns ----------------------------------------------------------

def _terminal(report, width: int) -> tuple:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    render_table(report, console)
    table = console.file.getvalue()
    render_feedback(report, console)
    return table.splitlines(), console.file.getvalue()[len(table):].splitlines()


@pytest.mark.parametrize("width", [80, 120])
def test_the_table_holds_names_and_points_and_the_details_hang_below(grade_source, width):
    report = grade_source(BROKEN, shrink=True)
    table, details = _terminal(report, width)
    assert all(len(line) <= width for line in table + details)
    table_text = "\n".join(table)
    for op in report.ops.values():
        for check in op.checks:
            if not check.passed:
                assert check.reason not in table_text and check.reason.split(":")[0] not in table_text
    if width == 120:  # one line per op: header, rule, 7 ops and the total, borders
        assert len(table) == 1 + 3 + len(report.ops) + 1 + 1
    headers = [line for line in details if not line.startswith(" ")]
    assert headers and all(re.match(r"(mul|matmul|embedding)[ .]", line) for line in headers)
    assert all(line.startswith("    ") for line in details if line not in headers)
    # a wrapped line continues under a hanging indent, deeper than its first line
    wrapped = [(first, after) for first, after in zip(details, details[1:])
               if first.startswith("    Likely mistake:") and not after.lstrip().startswith(("Likely", "mul", "matmul"))]
    assert wrapped and all(after.startswith(" " * 8) for _, after in wrapped)


def test_the_same_error_is_said_once(grade_source):
    source = BROKEN + "\n\nclass Sigmoid(Sigmoid):\n    def backward(self, grad_out):\n        raise ValueError('boom')\n"
    _, details = _terminal(grade_source(source), 120)
    text = "\n".join(details)
    assert text.count("Sigmoid.backward raised ValueError: boom") == 1
    assert "The same problem as sigmoid.values, above." in text


# --- numbers ---------------------------------------------------------------------------------------

def _softmax_feedback(got, expected, tolerance):
    op = OP_BY_KEY["softmax_ce"]
    case = SimpleNamespace(inputs=(np.array([[113.2, 382.4], [-69.2, -176.3]]), np.array([1, 1])),
                           grad_outs=(np.array(-3.7565),))
    verdict = Verdict(False, "grad_logits is wrong", "values", 0, 0, got=np.array(got), expected=np.array(expected),
                      tolerance=tolerance)
    return describe_failure(None, op, case, verdict)


def test_values_within_tolerance_of_zero_print_as_zero_and_the_wrong_entries_are_named():
    text = _softmax_feedback([[-4.6956e-117, -0.0], [-3.7565, 3.7565]], [[-2.3478e-117, 0.0], [-1.8783, 1.8783]],
                             1.9e-6)
    assert "e-117" not in text and "-0." not in text
    assert "expected grad_logits = shape (2, 2): [[ 0. , 0. ], [-1.8783, 1.8783]]" in text
    assert "Off by more than the tolerance at index (1, 0), (1, 1) (2 of 4 entries; the others are within it)" in text


def test_entries_that_differ_beyond_tolerance_never_print_alike():
    # Both within the tolerance of 0, but 1.8 tolerances apart: neither is shown as 0.
    text = _softmax_feedback([[1.7e-6, 0.5], [0.25, 0.25]], [[-1.7e-6, 0.5], [0.25, 0.25]], 1.9e-6)
    got = re.search(r"got +grad_logits = (.*)", text).group(1)
    expected = re.search(r"expected grad_logits = (.*)", text).group(1)
    assert got != expected and "(0, 0) (1 of 4 entries" in text


# --- pytest ------------------------------------------------------------------------------------------

def test_pytest_names_each_failure_with_its_reason_on_uncut_lines(tmp_path):
    (tmp_path / "ops.py").write_text(BROKEN, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(ROOT / "assignments" / "backprop" / "test_backprop.py"),
                             "--submission", str(tmp_path / "ops.py"), "--op", "mul"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "COLUMNS": "80"})
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "backprop: what failed" in line)
    end = next(i for i, line in enumerate(lines) if "short test summary" in line)
    section = lines[start + 1:end]
    assert all(len(line) <= 80 for line in section)
    assert "mul.broadcast: grad_b has shape (1, 1), expected (1,) (the shape of b)" in section
    # broadcast and scalar: no_mutation judges only mutation and repeatability off the base family
    assert len([line for line in section if not line.startswith(" ")]) == 2
    # the failure message's first line (what the short summary shows) is the reason
    header = next(i for i, line in enumerate(lines) if re.match(r"_+ test_backprop\[mul-broadcast\] _+$", line))
    assert lines[header + 1] == "grad_b has shape (1, 1), expected (1,) (the shape of b)"
