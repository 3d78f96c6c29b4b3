"""Both oracles accept exactly the same answers, so passing every public test means full marks.

A correct answer is one rule (`grader.core.oracles.tolerance`), applied by the hidden `Reference` to
the reference backward and by the students' `Numeric` to central differences of the given
forward. The search: on every graded example of every property, correct gradients (the
reference's) are perturbed to just inside and just outside the bound, once where the relative
part dominates (a scaled copy, a spike at the largest entry), once where the absolute floor does
(a spike at the smallest entry, often an exact 0) and once everywhere, with grad_out scaled so
the gradients are large, as drawn, and tiny. Both oracles must give the same verdict, and it
must be the rule's.
"""

import numpy as np
import pytest

from grader.core.bank import Bank
from grader.core.grade import grade
from grader.core.cases import Case
from grader.ops import BASE_FAMILY, PROPERTY_BY_ID
from grader.ops import OP_BY_KEY
from grader.core.judge import judge
from grader.core.oracles import ATOL, RTOL, Expected, Numeric, maxabs, tolerance
from grader.paths import given_path, load_trusted
from grader.sandbox.untrusted.calls import normalize
from grader.run.in_process import InProcessRunner
from grader.sandbox.untrusted.calls import Outcome

from conftest import SOLUTION_SOURCE

MARGIN = 0.02      # "just inside" and "just outside": 98% and 102% of the bound
FD_SHARE = 0.005   # the Numeric estimate is this close to the reference, in units of the bound
SCALES = (1e4, 1.0, 1e-4)  # grad_out multiplied by these: gradients large, as drawn, tiny
PROPERTY_IDS = sorted(PROPERTY_BY_ID)


@pytest.fixture(scope="module")
def numeric_bank(rubric):
    return Bank(Numeric(load_trusted(given_path(), "backprop_given_agreement")), rubric)


@pytest.fixture(scope="module")
def numeric(numeric_bank):
    return numeric_bank.oracle


def both_banks(bank, numeric_bank, prop_id):
    """The property's examples as each oracle sees them: the same cases, in the same order."""
    prop = PROPERTY_BY_ID[prop_id]
    hidden, public = bank.examples(prop), numeric_bank.examples(prop)
    assert len(hidden) == len(public)
    for h, p in zip(hidden, public):
        assert all(np.array_equal(x, y) for x, y in zip(h.case.inputs + h.case.grad_outs,
                                                         p.case.inputs + p.case.grad_outs))
    return prop, list(zip(hidden, public))


@pytest.mark.parametrize("prop_id", [p for p in PROPERTY_IDS if PROPERTY_BY_ID[p].check != "ties"])
def test_the_numeric_estimate_is_far_inside_the_bound(prop_id, bank, numeric_bank):
    """The band where the oracles could disagree is the Numeric estimate's error: measure it."""
    _, pairs = both_banks(bank, numeric_bank, prop_id)
    worst = 0.0
    for hidden, public in pairs:
        for ref_call, fd_call in zip(hidden.expected.grads, public.expected.grads):
            for r, fd in zip(ref_call, fd_call):
                if r is not None:
                    worst = max(worst, maxabs(fd - r) / tolerance(r))
    assert worst <= FD_SHARE, f"{prop_id}: central differences off by {worst:.3g} of the tolerance"


def _scaled(example, c):
    case, expected = example.case, example.expected
    grads = tuple(tuple(None if g is None else g * c for g in call) for call in expected.grads)
    return (Case(case.inputs, tuple(d * c for d in case.grad_outs), case.mix, case.family),
            Expected(expected.output, grads))


def _perturbations(case, grads, position, rng):
    """Linear maps d -> delta (shaped like the input at `position`): each is zero at d = 0 and
    linear, so zero upstream, linearity and a repeated call stay right; only the values move."""
    reference = [call[position] for call in grads]
    shape = reference[0].shape
    sizes = np.abs(next((r for r in reference if np.any(r)), reference[0])).ravel()
    weights = rng.standard_normal(np.shape(case.grad_outs[0]))
    functional = [float(np.sum(weights * d)) for d in case.grad_outs]

    def spike(flat):
        unit = np.zeros(shape)
        unit.flat[flat] = 1.0
        return [f * unit for f in functional]

    yield "scaled copy", [r.copy() for r in reference]
    yield "at the largest entry", spike(int(np.argmax(sizes)))
    yield "at the smallest entry", spike(int(np.argmin(sizes)))
    signs = rng.choice([-1.0, 1.0], size=shape)
    yield "everywhere", [f * signs for f in functional]


def _edge_answers(case, grads, rng):
    """(what, answer, k, size): the correct `grads` with one gradient perturbed to k times its
    bound (k just below and just above 1) in its most perturbed call, whose max|r| is `size`."""
    for position, first in enumerate(grads[0]):
        if first is None:
            continue
        for pattern, deltas in _perturbations(case, grads, position, rng):
            ratios = [maxabs(delta) / tolerance(call[position]) for delta, call in zip(deltas, grads)]
            worst = max(ratios)
            if worst < 1e-6:
                continue  # a pattern that cannot reach the bound (a copy of a gradient that is ~0)
            size = maxabs(grads[int(np.argmax(ratios))][position])
            for k in (1 - MARGIN, 1 + MARGIN):
                answer = [tuple(g + delta * (k / worst) if i == position else g for i, g in enumerate(call))
                          for call, delta in zip(grads, deltas)]
                yield f"{pattern} of gradient {position + 1}", answer, k, size


@pytest.mark.parametrize("prop_id", PROPERTY_IDS)
def test_both_oracles_agree_at_the_edge_of_the_bound(prop_id, bank, numeric_bank, reference, numeric):
    prop, pairs = both_banks(bank, numeric_bank, prop_id)
    op = OP_BY_KEY[prop.op]
    rng = np.random.default_rng(sum(map(ord, prop_id)))
    seen = {"floor": 0, "relative": 0, "verdicts": set()}
    for hidden, public in pairs:
        # The tie rule and no_mutation off the base family never look at the oracle's values.
        values_judged = prop.check != "ties" and (
            prop.check != "no_mutation" or hidden.case.family == BASE_FAMILY[op.key])
        for c in SCALES:
            (case, ref_expected), (_, num_expected) = _scaled(hidden, c), _scaled(public, c)
            for what, answer, k, size in _edge_answers(case, ref_expected.grads, rng):
                outcome = Outcome(output=ref_expected.output, returns=[normalize(tuple(call)) for call in answer],
                                  inputs_after=case.inputs, grad_outs_after=case.grad_outs)
                by_reference = judge(prop, op, case, ref_expected, outcome, reference)
                by_numeric = judge(prop, op, case, num_expected, outcome, numeric)
                where = f"{prop_id}, grad_out x {c:g}, {what}, {k:g} x the bound"
                assert by_reference.passed == by_numeric.passed, \
                    f"{where}: reference says {by_reference.reason or 'pass'}; numeric {by_numeric.reason or 'pass'}"
                if values_judged:
                    assert by_reference.passed == (k < 1), f"{where}: {by_reference.reason or 'pass'}"
                    seen["verdicts"].add(by_reference.passed)
                    seen["floor" if RTOL * size < ATOL else "relative"] += 1
    if prop.check != "ties":
        # The search really reached both parts of the bound, and both verdicts.
        assert seen["floor"] and seen["relative"] and seen["verdicts"] == {True, False}, seen


CLIPPED_SIGMOID = """
class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = 1.0 / (1.0 + np.exp(-np.clip(self.x, -{clip}, {clip})))
        return (grad_out * s * (1.0 - s),)
"""


@pytest.mark.parametrize("clip, lost", [(20.0, ["stability"]), (30.0, []), (40.0, [])])
def test_sigmoid_clipped_in_its_tails_gets_one_verdict_from_both(clip, lost, grade_source, numeric_bank):
    """Clipped at 20, sigmoid answers 2.1e-9 * grad_out where the true gradient is ~0: wrong, for
    both (it got 100 locally and lost stability and no_mutation hidden); from 30 on, within the floor."""
    source = SOLUTION_SOURCE + CLIPPED_SIGMOID.format(clip=clip)
    public = grade("ops.py", InProcessRunner(source), numeric_bank.oracle, numeric_bank.rubric, numeric_bank,
                   shrink=False)
    for report in (grade_source(source), public):
        assert [c.name for c in report.ops["sigmoid"].checks if not c.passed] == lost
