"""Strict and fair: every wrong implementation loses points on its own op and nowhere else;
every correct alternative scores full marks. See tests/corpus/README.md for the format.

And each property judges only what it is named for: a mistake that the op's base family (its
simplest inputs) does not show costs `upstream` and `no_mutation` nothing, unless it is a
mutation or state mistake, which `no_mutation` must catch.
"""

import re

import pytest

from grader.ops import BASE_FAMILY

from conftest import CORPUS, snippet_op, with_snippet

WRONG = sorted((CORPUS / "wrong").glob("*.py"))
CORRECT = sorted((CORPUS / "correct").glob("*.py"))
# Mistakes of mutation or of state kept between calls: no_mutation is named for these.
STATE_MISTAKES = ("mutates_grad_out", "mutates_input", "stateful", "accumulates_across_calls", "memoised_result")


def mistake(snippet) -> str:
    return re.search(r'^MISTAKE = "(\w+)"', snippet.read_text(encoding="utf-8"), re.M).group(1)


def test_the_corpus_covers_every_op_with_the_classic_mistakes(rubric):
    for op in rubric.points:
        assert sum(snippet_op(p) == op for p in WRONG) >= 4, op
        assert sum(snippet_op(p) == op for p in CORRECT) >= 2, op


@pytest.mark.parametrize("snippet", WRONG, ids=lambda p: p.stem)
def test_wrong_implementation_loses_points_on_its_op_only(snippet, grade_source):
    report = grade_source(with_snippet(snippet))
    guilty = snippet_op(snippet)
    assert report.ops[guilty].score < report.ops[guilty].max_score, "this bug went unnoticed"
    for key, op in report.ops.items():
        if key != guilty:
            assert op.score == op.max_score, f"{key} lost points for a bug in {guilty}"
    checks = {check.name: check for check in report.ops[guilty].checks}
    state = mistake(snippet) in STATE_MISTAKES
    if state:
        # A memoised result is repeatable with the same grad_out: upstream's new grad_outs catch it.
        assert not (checks["no_mutation"].passed and checks["upstream"].passed), \
            "a mutation or state mistake that neither no_mutation nor upstream caught"
    if checks[BASE_FAMILY[guilty]].passed:  # otherwise it shows on the simplest inputs: it costs everything
        # upstream and no_mutation are the properties that call backward more than once: a
        # state mistake is theirs to catch, any other must cost neither.
        for name in () if state else ("upstream", "no_mutation"):
            assert checks[name].passed, f"{name} deducted for a mistake its name does not cover: {checks[name].reason}"


@pytest.mark.parametrize("snippet", CORRECT, ids=lambda p: p.stem)
def test_correct_alternative_scores_full_marks(snippet, grade_source):
    report = grade_source(with_snippet(snippet))
    lost = {f"{k}.{c.name}": c.reason for k, op in report.ops.items() for c in op.checks if not c.passed}
    assert not lost
