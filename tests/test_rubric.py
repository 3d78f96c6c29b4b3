"""Instructors edit points in a TOML file; the score follows, and mistakes are one line."""

import pytest

from grader.core.bank import Bank
from grader.core.grade import grade
from grader.core.rubric import RubricError
from grader.ops import load_rubric
from grader.run.in_process import InProcessRunner

from conftest import ROOT


def test_default_rubric_totals_100(rubric):
    assert rubric.max_score == 100


def test_edited_points_change_the_score(tmp_path, reference):
    path = tmp_path / "rubric.toml"
    path.write_text("[grading]\nseed = 20261121\nexamples_per_property = 10\n"
                    "[points.mul]\nsame_shape = 1\nbroadcast = 9\n[points.add]\nsame_shape = 5\n")
    rubric = load_rubric(path)
    assert rubric.max_score == 15
    source = (ROOT / "tests" / "samples" / "broken" / "ops.py").read_text()
    report = grade("broken", InProcessRunner(source), reference, rubric, Bank(reference, rubric), shrink=False)
    assert list(report.ops) == ["mul", "add"]
    assert (report.ops["mul"].score, report.ops["add"].score) == (1, 5)
    assert all(c.examples == 10 for op in report.ops.values() for c in op.checks)


@pytest.mark.parametrize("text, words", [
    ("[points.mul]\nbogus = 1\n", "no property 'bogus'"),
    ("[points.mull]\nsame_shape = 1\n", "unknown op"),
    ("[points.mul]\nsame_shape = -1\n", "must be a number >= 0"),
    ("[grading]\nexamples_per_property = 0\n", "examples_per_property >= 1"),
    ("[points.mul\n", "cannot be read"),
    ("[extra]\n", "unknown section"),
])
def test_bad_rubrics_say_what_is_wrong(tmp_path, text, words):
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    with pytest.raises(RubricError, match=words.replace("[", r"\[")):
        load_rubric(path)
