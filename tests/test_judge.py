"""The judge on hand-made outcomes: what is accepted, what is refused, and the reason given."""

import numpy as np
import pytest

from grader.core.cases import Case
from grader.ops import PROPERTY_BY_ID
from grader.ops import OP_BY_KEY
from grader.core.judge import judge
from grader.core.oracles import Reference
from grader.sandbox.untrusted.calls import normalize
from grader.sandbox.untrusted.calls import Outcome

MUL, SCE, MAX = OP_BY_KEY["mul"], OP_BY_KEY["softmax_ce"], OP_BY_KEY["max"]


def verdict_for(reference, prop_id, case, returned, output=None, inputs_after=None, grad_outs_after=None):
    prop = PROPERTY_BY_ID[prop_id]
    op = OP_BY_KEY[prop.op]
    expected = reference.expect(op, case)
    outcome = Outcome(
        output=expected.output if output is None else output,
        returns=[normalize(r) for r in returned],
        inputs_after=case.inputs if inputs_after is None else inputs_after,
        grad_outs_after=case.grad_outs if grad_outs_after is None else grad_outs_after,
    )
    return judge(prop, op, case, expected, outcome, reference), expected


@pytest.fixture
def mul_case():
    rng = np.random.default_rng(0)
    return Case((rng.normal(size=(2, 3)), rng.normal(size=(3,))), (rng.normal(size=(2, 3)),))


def test_exact_answer_passes_as_tuple_or_list(reference, mul_case):
    (a, b), (d,) = mul_case.inputs, mul_case.grad_outs
    for container in (tuple, list):
        verdict, _ = verdict_for(reference, "mul.broadcast", mul_case, [container((d * b, (d * a).sum(0)))])
        assert verdict.passed


def test_numpy_scalars_are_accepted_for_0d_inputs(reference):
    case = Case((np.asarray(1.5), np.asarray(-2.0)), (np.asarray(0.7),))
    verdict, _ = verdict_for(reference, "mul.scalar", case, [(np.float64(0.7 * -2.0), 0.7 * 1.5)])
    assert verdict.passed


@pytest.mark.parametrize("bad, kind, words", [
    (lambda g: g[0], "type", "returned a ndarray"),
    (lambda g: (g[0],), "arity", "returned 1 value; expected 2"),
    (lambda g: (g[0].astype(np.complex128), g[1]), "dtype", "dtype complex128"),
    (lambda g: (g[0].astype(np.int64), g[1]), "dtype", "dtype int64"),
    (lambda g: (g[0].astype(object), g[1]), "dtype", "dtype object"),
    (lambda g: (g[0].tolist(), g[1]), "type", "grad_a is a list"),
    (lambda g: (None, g[1]), "type", "grad_a is None"),
    (lambda g: (g[0], g[1][None]), "shape", "grad_b has shape (1, 3), expected (3,)"),
    (lambda g: (g[0] * np.nan, g[1]), "nonfinite", "grad_a contains nan"),
    (lambda g: (g[0], g[1] * 2), "values", "grad_b is wrong"),
    (lambda g: (x for x in g), "type", "returned a generator"),
])
def test_malformed_returns_are_refused_with_a_reason(reference, mul_case, bad, kind, words):
    (a, b), (d,) = mul_case.inputs, mul_case.grad_outs
    verdict, _ = verdict_for(reference, "mul.broadcast", mul_case, [bad((d * b, (d * a).sum(0)))])
    assert not verdict.passed and verdict.kind == kind and words in verdict.reason


def test_ndarray_subclass_is_judged_by_its_values(reference, mul_case):
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    (a, b), (d,) = mul_case.inputs, mul_case.grad_outs
    wrong = (d * b * 3).view(Liar)
    verdict, _ = verdict_for(reference, "mul.broadcast", mul_case, [(wrong, (d * a).sum(0))])
    assert not verdict.passed and verdict.kind == "values"


def test_integer_input_needs_none(reference):
    rng = np.random.default_rng(1)
    case = Case((rng.normal(size=(3, 4)), np.array([0, 3, 1])), (np.asarray(0.5),))
    good = reference.expect(SCE, case).grads[0][0]
    verdict, _ = verdict_for(reference, "softmax_ce.batch", case, [(good, np.zeros(3))])
    assert verdict.kind == "integer_grad" and "labels must be None" in verdict.reason
    verdict, _ = verdict_for(reference, "softmax_ce.batch", case, [(good, None)])
    assert verdict.passed


def test_changed_forward_is_reported(reference, mul_case):
    (a, b), (d,) = mul_case.inputs, mul_case.grad_outs
    verdict, expected = verdict_for(reference, "mul.broadcast", mul_case, [(d * b, (d * a).sum(0))],
                                    output=np.zeros((2, 3)))
    assert verdict.kind == "forward" and "forward" in verdict.reason


def test_mutation_is_caught_only_by_no_mutation(reference, mul_case):
    (a, b), (d,) = mul_case.inputs, mul_case.grad_outs
    case = Case(mul_case.inputs, (d, d.copy()))
    right = (d * b, (d * a).sum(0))
    spoiled = (d * 2, d.copy())
    verdict, _ = verdict_for(reference, "mul.no_mutation", case, [right, right], grad_outs_after=spoiled)
    assert verdict.kind == "mutation" and "grad_out in place" in verdict.reason
    verdict, _ = verdict_for(reference, "mul.no_mutation", case, [right, right],
                             inputs_after=(a, b + 1))
    assert verdict.kind == "mutation" and "input b" in verdict.reason
    verdict, _ = verdict_for(reference, "mul.no_mutation", case, [right, (d * b * 2, right[1])])
    assert verdict.kind == "stateful"


def test_upstream_checks_zero_then_linearity(reference, mul_case):
    (a, b), (d1,) = mul_case.inputs, mul_case.grad_outs
    d2 = d1[::-1].copy()
    alpha, beta = 0.5, -1.5
    calls = (np.zeros_like(d1), d1, d2, alpha * d1 + beta * d2)
    case = Case((a, b), calls, (alpha, beta))
    ignored = [(np.broadcast_to(b, d.shape) * 1.0, a.sum(0)) for d in calls]
    verdict, _ = verdict_for(reference, "mul.upstream", case, ignored)
    assert verdict.kind == "zero_upstream" and "must be 0" in verdict.reason
    squared = [(d * d * b, (d * d * a).sum(0)) for d in calls]
    verdict, _ = verdict_for(reference, "mul.upstream", case, squared)
    assert verdict.kind == "linearity"


@pytest.mark.parametrize("share_a, passes", [(1.0, True), (0.0, True), (0.5, True), (0.3, True),
                                             (2.0, False), (-0.5, False)])
def test_tie_shares(reference, share_a, passes):
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 0.0, 5.0])  # tie at 0, a wins at 1, b wins at 2
    d = np.array([0.7, -1.1, 0.4])
    grad_a = np.array([share_a * d[0], d[1], 0.0])
    grad_b = np.array([(1 - share_a) * d[0], 0.0, d[2]])
    verdict, _ = verdict_for(reference, "max.ties", Case((a, b), (d,)), [(grad_a, grad_b)])
    assert verdict.passed is passes


def test_tie_given_to_both_or_neither_is_named(reference):
    a, b, d = np.array([1.0, 2.0]), np.array([1.0, 0.0]), np.array([0.7, -1.1])
    both = (np.array([0.7, -1.1]), np.array([0.7, 0.0]))
    verdict, _ = verdict_for(reference, "max.ties", Case((a, b), (d,)), [both])
    assert verdict.kind == "ties" and "to both" in verdict.reason
    neither = (np.array([0.0, -1.1]), np.array([0.0, 0.0]))
    verdict, _ = verdict_for(reference, "max.ties", Case((a, b), (d,)), [neither])
    assert verdict.kind == "ties" and "neither" in verdict.reason


def test_tolerance_is_normwise_with_a_floor():
    assert Reference.tolerance(np.array([0.0])) == pytest.approx(1e-10)
    assert Reference.tolerance(np.array([-3.0, 1.0])) == pytest.approx(3e-6 + 1e-10)


@pytest.mark.parametrize("output", [np.array(["a", "b"]), np.array([None, 1], dtype=object),
                                    np.array([1 + 2j, 0j])])
def test_a_non_numeric_forward_output_is_a_verdict_not_a_crash(reference, mul_case, output):
    (a, b), (d,) = mul_case.inputs, mul_case.grad_outs
    verdict, _ = verdict_for(reference, "mul.broadcast", mul_case, [(d * b, (d * a).sum(0))], output=output)
    assert verdict.kind == "forward" and "dtype" in verdict.reason


def _no_mutation_case(family):
    rng = np.random.default_rng(3)
    d = rng.normal(size=(2, 3))
    return Case((rng.normal(size=(2, 3)), rng.normal(size=(3,))), (d, d.copy()), family=family)


@pytest.mark.parametrize("first", [
    lambda a, b, d: (d * b, d * a),                         # grad_b left unreduced: a shape mistake
    lambda a, b, d: (d * b * np.nan, (d * a).sum(0)),       # NaN (an overflow, say)
    lambda a, b, d: (2 * d * b, (d * a).sum(0)),            # wrong values
    lambda a, b, d: [(d * b).tolist(), (d * a).sum(0)],     # not an array
])
def test_no_mutation_off_the_base_family_judges_state_only(reference, first):
    """A first-call mistake on a harder family is that family's to report; the same mistake on
    the base family, and a second call that differs, fail no_mutation."""
    case = _no_mutation_case("broadcast")
    (a, b), (d, _) = case.inputs, case.grad_outs
    verdict, _ = verdict_for(reference, "mul.no_mutation", case, [first(a, b, d)] * 2)
    assert verdict.passed, verdict.reason
    base = _no_mutation_case("same_shape")
    verdict, _ = verdict_for(reference, "mul.no_mutation", base, [first(a, b, d)] * 2)
    assert not verdict.passed and verdict.kind != "stateful"
    right = (d * b, (d * a).sum(0))
    verdict, _ = verdict_for(reference, "mul.no_mutation", case, [first(a, b, d), right])
    assert verdict.kind == "stateful", verdict.reason
    verdict, _ = verdict_for(reference, "mul.no_mutation", case, [first(a, b, d)] * 2,
                             grad_outs_after=(d * 2, d.copy()))
    assert verdict.kind == "mutation"


def test_no_mutation_off_the_base_family_ignores_a_first_call_error(reference):
    case = _no_mutation_case("broadcast")
    outcome = Outcome(output=None, returns=[], inputs_after=case.inputs, grad_outs_after=case.grad_outs,
                      error="Mul.backward raised ValueError: cannot reshape")
    prop, op = PROPERTY_BY_ID["mul.no_mutation"], MUL
    assert judge(prop, op, case, reference.expect(op, case), outcome, reference).passed
    base = _no_mutation_case("same_shape")
    assert judge(prop, op, base, reference.expect(op, base), outcome, reference).kind == "error"
    (a, b), (d, _) = case.inputs, case.grad_outs
    outcome.returns = [normalize((d * b, (d * a).sum(0)))]  # the first call returned, the second raised
    verdict = judge(prop, op, case, reference.expect(op, case), outcome, reference)
    assert verdict.kind == "stateful" and "second backward call" in verdict.reason


def test_upstream_leaves_state_to_no_mutation(reference, mul_case):
    """A backward that accumulates between calls is right on its first call: upstream passes it
    (no_mutation fails it); one that ignores grad_out still fails on that first call."""
    (a, b), (d1,) = mul_case.inputs, mul_case.grad_outs
    d2 = d1[::-1].copy()
    alpha, beta = 0.5, -1.5
    calls = (np.zeros_like(d1), d1, d2, alpha * d1 + beta * d2, d1.copy())
    case = Case((a, b), calls, (alpha, beta), "same_shape")
    running = np.cumsum(calls, axis=0)
    accumulating = [(r * b, (r * a).sum(0)) for r in running]
    verdict, _ = verdict_for(reference, "mul.upstream", case, accumulating)
    assert verdict.passed, verdict.reason
    ignoring = [(np.broadcast_to(b, r.shape) * (1 + k), a.sum(0) * (1 + k)) for k, r in enumerate(running)]
    verdict, _ = verdict_for(reference, "mul.upstream", case, ignoring)
    assert verdict.kind == "zero_upstream"
    squared = [(d * d * b, (d * d * a).sum(0)) for d in calls]  # no state: linearity is judged
    verdict, _ = verdict_for(reference, "mul.upstream", case, squared)
    assert verdict.kind == "linearity"


def test_a_tuple_then_a_list_is_the_same_answer(reference):
    for family in ("broadcast", "same_shape"):
        case = _no_mutation_case(family)
        (a, b), (d, _) = case.inputs, case.grad_outs
        right = (d * b, (d * a).sum(0))
        verdict, _ = verdict_for(reference, "mul.no_mutation", case, [right, list(right)])
        assert verdict.passed, verdict.reason


@pytest.mark.parametrize("prop_id, family", [("mul.broadcast", "broadcast"), ("mul.no_mutation", "broadcast"),
                                             ("mul.no_mutation", "same_shape")])
def test_a_reply_missing_answers_without_an_error_never_passes(reference, prop_id, family):
    case = _no_mutation_case(family)
    (a, b), (d, _) = case.inputs, case.grad_outs
    prop, op = PROPERTY_BY_ID[prop_id], MUL
    for returns in ([], [normalize((d * b, (d * a).sum(0)))]):
        outcome = Outcome(output=a * b, returns=returns, inputs_after=case.inputs, grad_outs_after=case.grad_outs)
        verdict = judge(prop, op, case, reference.expect(op, case), outcome, reference)
        assert verdict.kind == "error" and "answers came back" in verdict.reason
