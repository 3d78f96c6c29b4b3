"""The worker's English line about a student's exception gets its frame translated on the trusted
side (grader/core/worker_text.py); the student's part stays as it came, and English is unchanged."""

import pytest

from conftest import SOLUTION_SOURCE
from grader import i18n
from grader.core.worker_text import localized

LINES = [
    "Mul.backward raised ValueError: operands could not be broadcast (ops.py, line 41)",
    "Mul.forward raised KeyError",
    "importing ops.py raised SystemExit: 3 (ops.py, line 2)",
    "Add.backward raised RuntimeError: it raised ValueError: nested (ops.py, line 9)",  # "raised" in the message
    "the worker exited (status 7) while running Mul.backward",                           # another form: as is
    "",
]


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.setenv("GRADER_LANG", "zh_CN")
    return monkeypatch


@pytest.mark.parametrize("line", LINES)
def test_english_lines_come_back_byte_for_byte(line, monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.delenv("GRADER_LANG", raising=False)
    assert localized(line) == line


def test_in_chinese_the_frame_is_translated_and_the_students_part_kept(chinese):
    assert localized(LINES[0]) == "Mul.backward 抛出 ValueError: operands could not be broadcast (ops.py, line 41)"
    assert localized(LINES[2]) == "导入 ops.py 时 抛出 SystemExit: 3 (ops.py, line 2)"
    assert localized(LINES[3]) == "Add.backward 抛出 RuntimeError: it raised ValueError: nested (ops.py, line 9)"
    assert localized(LINES[4]) == LINES[4]


def test_a_raising_backward_reads_in_chinese_in_its_report(chinese, grade_source):
    source = SOLUTION_SOURCE + "\n\nclass Mul(Mul):\n    def backward(self, grad_out):\n        raise ValueError('{not a placeholder}')\n"
    report = grade_source(source)
    reasons = [check.reason for check in report.ops["mul"].checks if not check.passed]
    assert reasons and all(reason.startswith("Mul.backward 抛出 ValueError: {not a placeholder}") for reason in reasons
                           if "backward" in reason), reasons
    assert report.ops["add"].score == report.ops["add"].max_score


def test_the_capstones_harness_lines_read_in_chinese_too(chinese):
    assert localized("backward raised KeyError: 3 (graph.py, line 12)", capstone=True) == \
        "backward 抛出 KeyError: 3 (graph.py, line 12)"
    assert localized("training raised ValueError: nan", capstone=True) == "训练时 抛出 ValueError: nan"
    assert localized("importing graph.py raised SyntaxError", capstone=True) == "导入 graph.py 时 抛出 SyntaxError"
    assert localized("the worker exited (status 9)", capstone=True) == "the worker exited (status 9)"


def test_the_capstones_harness_lines_stay_english_byte_for_byte(monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.delenv("GRADER_LANG", raising=False)
    for line in ("backward raised KeyError: 3 (graph.py, line 12)", "the network's forward raised ValueError",
                 "Tape.apply raised TypeError: x"):
        assert localized(line, capstone=True) == line
