"""A diagnosis names a mistake only when that mistake, applied to the reference computation,
reproduces the student's numbers; otherwise it gives the facts and no cause (mistake == "").

Over the whole public corpus, graded as the grader grades (every failing example judged, the
shown one chosen, the others passed to diagnose): every cause given is the file's own mistake
(its MISTAKE tag, or one of its ALSO tags: what the same numbers also are on some examples).
"""

import ast
import re

import numpy as np
import pytest

from conftest import CORPUS, with_snippet, snippet_op
from grader.core.cases import Case
from grader.ops import OP_BY_KEY
from grader.core.diagnoses import Diagnosis, Failing, diagnose
from grader.core.diagnoses.failure import degenerate
from grader.core.judge import Verdict

WRONG = sorted((CORPUS / "wrong").glob("*.py"))
ISSUE_FILES = ("sigmoid__memoised_result", "matmul__accumulates_across_calls", "max__relu_mask",
               "embedding__sorts_cached_indices", "embedding__reshape_order", "embedding__indices_as_onehot")


def _declared(path):
    """(MISTAKE, ALSO) of a corpus snippet."""
    names = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            names[node.targets[0].id] = ast.literal_eval(node.value)
    return names["MISTAKE"], tuple(names.get("ALSO", ()))


def _failed(report, path):
    return [check for check in report.ops[snippet_op(path)].checks if not check.passed]


@pytest.fixture(scope="module")
def corpus_reports(grade_source):
    return {path.stem: _failed(grade_source(with_snippet(path)), path) for path in WRONG}


def test_every_cause_given_in_the_corpus_is_the_files_own_mistake(corpus_reports, capsys):
    wrong, causes, facts = [], 0, 0
    for path in WRONG:
        tag, also = _declared(path)
        allowed = {tag, *also}
        for check in corpus_reports[path.stem]:
            if check.mistake:
                causes += 1
                if check.mistake not in allowed:
                    wrong.append(f"{path.stem}.{check.name}: {check.mistake}: {check.diagnosis}")
            else:
                facts += 1
    assert not wrong, "\n".join(wrong)
    with capsys.disabled():
        print(f"\ncorpus failures: {causes} with a cause, {facts} with facts only")
    assert causes >= 0.9 * (causes + facts)


def test_every_mistake_id_is_snake_case_and_comes_with_a_sentence(corpus_reports):
    for checks in corpus_reports.values():
        for check in checks:
            assert re.fullmatch(r"[a-z][a-z_]*", check.mistake) or check.mistake == ""
            assert not check.mistake or check.diagnosis


@pytest.mark.parametrize("stem", ISSUE_FILES)
def test_the_reported_misdiagnoses_now_name_the_real_mistake_even_after_shrinking(stem, grade_source):
    path = CORPUS / "wrong" / f"{stem}.py"
    tag, also = _declared(path)
    checks = _failed(grade_source(with_snippet(path), shrink=True), path)
    assert any(check.mistake == tag for check in checks), [(c.name, c.mistake, c.diagnosis) for c in checks]
    for check in checks:
        assert check.mistake in {"", tag, *also}, (check.name, check.mistake, check.diagnosis)
        assert "no contribution of grad_out reached it" not in check.diagnosis


def test_the_example_shown_for_indices_as_onehot_is_not_all_zeros(grade_source):
    path = CORPUS / "wrong" / "embedding__indices_as_onehot.py"
    check = next(c for c in _failed(grade_source(with_snippet(path), shrink=True), path)
                 if c.name == "unique_indices")
    got = check.feedback.split("got      grad_weight = ")[1].splitlines()[0]
    assert re.search(r"[1-9]", got.split(":", 1)[1]), check.feedback  # some non-zero digit is shown


# --------------------------------------------------------------------------- the rule, by hand

EMBEDDING = OP_BY_KEY["embedding"]


def _embedding_failing(indices, got, call=0):
    weight = np.arange(6.0).reshape(3, 2)
    indices = np.asarray(indices)
    grad_out = np.linspace(1.0, 2.0, indices.size * 2).reshape(indices.shape + (2,))
    expected = np.zeros_like(weight)
    np.add.at(expected, indices, grad_out)
    got = got(indices, grad_out, weight)
    verdict = Verdict(False, "hand-built", "values", call, 0, got=got, expected=expected, tolerance=1e-6,
                      grads=(got, None), expected_grads=(expected, None))
    return Failing(Case((weight, indices), (grad_out,)), verdict)


def _onehot(indices, grad_out, weight):
    return np.broadcast_to(indices.astype(float) @ grad_out, weight.shape).copy()


def test_a_cause_must_also_fit_the_other_failing_examples():
    zero_first = _embedding_failing([0], _onehot)              # indices.T @ grad_out is 0 here
    assert degenerate(zero_first.verdict)
    others = [_embedding_failing([1], _onehot), _embedding_failing([2, 1], _onehot)]
    assert diagnose(EMBEDDING, zero_first, others).mistake == "indices_as_onehot"
    # The same zeros, but the other failures are something else: no cause, only the facts.
    noise = [_embedding_failing([1], lambda i, d, w: np.full(w.shape, 0.3))]
    found = diagnose(EMBEDDING, zero_first, noise)
    assert found.mistake == "" and found.sentence.startswith("grad_weight differs from the expected gradient")


def _indexed_assignment(indices, grad_out, weight):
    grad_weight = np.zeros_like(weight)
    grad_weight[indices] += grad_out
    return grad_weight


def _loop_over_rows(indices, grad_out, weight):
    grad_weight = np.zeros_like(weight)
    for i in range(len(indices)):
        grad_weight[indices[i]] += grad_out[i]
    return grad_weight


def test_a_cause_the_example_cannot_tell_from_another_is_one_true_of_both():
    """Repeats only inside one row of indices: indexed assignment and a loop over the first axis
    give the same numbers; the sentence given is true of both, the loop is named only when
    another example shows it."""
    inside_a_row = [[0, 0], [1, 2]]
    for wrong in (_indexed_assignment, _loop_over_rows):
        assert diagnose(EMBEDDING, _embedding_failing(inside_a_row, wrong)).mistake == "repeats_not_accumulated"
    across_rows = _embedding_failing([[0, 1], [0, 0]], _loop_over_rows)
    assert diagnose(EMBEDDING, _embedding_failing(inside_a_row, _loop_over_rows), [across_rows]).mistake \
        == "multidim_indices"
    assert diagnose(EMBEDDING, _embedding_failing(inside_a_row, _indexed_assignment),
                    [_embedding_failing([[0, 1], [0, 0]], _indexed_assignment)]).mistake == "repeats_not_accumulated"


def test_the_facts_say_which_gradient_where_and_by_how_much():
    def off_by_one_entry(indices, grad_out, weight):
        right = np.zeros_like(weight)
        np.add.at(right, indices, grad_out)
        right[1, 0] += 0.82
        right[2, 1] += 1e-9  # below the tolerance
        return right
    found = diagnose(EMBEDDING, _embedding_failing([1, 2], off_by_one_entry))
    assert found == Diagnosis("", "grad_weight differs from the expected gradient at 1 of 6 entries, by at most "
                                  "0.82 (0.41 of the largest expected entry) at index (1, 0); 1 more differ by less "
                                  "than the tolerance 1e-06")


def test_a_state_mistake_is_predicted_from_the_earlier_calls():
    op = OP_BY_KEY["sigmoid"]
    x = np.array([0.5, -1.0])
    s = 1 / (1 + np.exp(-x))
    d0, d1 = np.zeros(2), np.array([0.7, -1.3])
    right = [d0 * s * (1 - s), d1 * s * (1 - s)]

    class Expected:
        grads = ((right[0],), (right[1],))

    def failing(got):
        verdict = Verdict(False, "hand-built", "values", 1, 0, got=got, expected=right[1], tolerance=1e-6,
                          grads=(got,), expected_grads=(right[1],))
        return Failing(Case((x,), (d0, d1)), verdict, Expected())

    assert diagnose(op, failing(right[0].copy())).mistake == "memoised_result"  # call 1's zeros, again
    assert diagnose(op, failing(right[0] + right[1])).mistake == ""  # call 0 is zeros: a sum shows nothing
    assert diagnose(op, failing(right[1] + 0.1)).mistake == ""


def test_the_report_json_carries_the_mistake_id_for_the_class_summary(grade_source):
    report = grade_source(with_snippet(CORPUS / "wrong" / "mul__swapped_operands.py")).to_json()
    checks = {check["name"]: check for check in report["ops"]["mul"]["checks"]}
    assert checks["broadcast"]["mistake"] == "swapped_operands"
    assert checks["no_mutation"]["passed"] is False
    assert all(check["mistake"] == "" for check in report["ops"]["add"]["checks"])
