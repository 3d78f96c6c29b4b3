"""Oracles: what the right gradient is for one example, and one rule for what is close enough.

**What a correct answer is** (both oracles, every property): for each float input, with t the
true gradient, ``max|g - t| <= 1e-6 * max|t| + 1e-10`` (`tolerance`). Relative to the array's
largest gradient, with an absolute floor near zero: two different correct implementations used
at most 2.6e-3 of that budget, real bugs are off by O(1) (measured on plausible bugs and correct
variants of the seven ops), and pure relative error fails correct code where gradients are
legitimately ~0. The floor is not slack for a different formula: clipping a logistic function's input to [-20, 20]
answers 2.1e-9 * grad_out where the true gradient at |x| >= 700 is below 1e-300, so it is wrong there, for both
oracles (a clip at 30 or beyond is within the floor and passes both).

* `Reference` runs the hidden reference ``backward`` (exact up to rounding, ~1e-16) as t.
  Every example is also checked by central differences of the reference *forward*; where the
  two disagree (a kink, cancellation) the example is ill-posed and discarded, never scored.
* `Numeric` has no reference backward: its t is a Richardson-extrapolated central difference
  of the given forward, ``(4 D(h/2) - D(h)) / 3`` with ``h = 1e-5 * max(1, |x|)``. Its error is
  at most 0.4% of the tolerance on every graded example (measured by tests/test_oracle_agreement.py;
  a plain central difference reached 12%, on a cross-entropy loss at logits near 1e3, where a step relative to
  |x| is large for a shift-invariant loss). So the two oracles give the same verdict to every
  answer that is not within 0.4% of the boundary. This is what students run locally, where no
  reference exists.

Both differentiate a *trusted* forward (the reference module, or the pristine given one), never
the student's.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .contract import OpSpec
from ..i18n import N_

STEP = 1e-6          # relative step of the well-posedness check: h_i = STEP * max(1, |x_i|)
NUMERIC_STEP = 1e-5  # the Numeric oracle's (Richardson) base step; < max's 1e-3 gap for |x| < 100
WELL_POSED = 1e-5    # FD vs reference agreement needed for an example to count
RTOL, ATOL = 1e-6, 1e-10
TOLERANCE_RULE = "1e-6 * max|expected| + 1e-10"


def maxabs(array) -> float:
    return float(np.abs(array).max(initial=0.0))


def tolerance(true_grad) -> float:
    """How far a correct gradient may be from the true one, per array (module docstring)."""
    return RTOL * maxabs(true_grad) + ATOL


@dataclass(frozen=True)
class Expected:
    output: np.ndarray
    grads: tuple  # one tuple per backward call: an ndarray per float input, None per int input

    # An example's expected values are the same for every submission of a class: what the judge
    # derives from them alone is computed once per grading process, not once per submission.
    @cached_property
    def output_scale(self) -> float:
        """max(1, max|output|): the forward check's scale (judge._check_output)."""
        return max(1.0, maxabs(self.output))

    def tolerance_of(self, call: int, position: int, rule) -> float:
        """`rule` (an oracle's `tolerance`) of the gradient expected from `call` for input `position`."""
        memo = self.__dict__.setdefault("_tolerances", {})   # frozen: the memo lives beside the fields
        key = (rule, call, position)
        if key not in memo:
            memo[key] = rule(self.grads[call][position])
        return memo[key]


def _forward(module, op: OpSpec, inputs):
    with np.errstate(all="ignore"):
        return np.asarray(getattr(module, op.class_name)().forward(*inputs), dtype=np.float64)


def central_differences(module, op: OpSpec, inputs, grad_outs, step=STEP, richardson=False):
    with np.errstate(all="ignore"):
        return _central_differences(module, op, inputs, grad_outs, step, richardson)


def _central_differences(module, op: OpSpec, inputs, grad_outs, step, richardson):
    """d<f(x), d>/dx for every float input and every d in grad_outs, by central differences.

    f(x + h) and f(x - h) are evaluated once per coordinate and dotted with every upstream;
    the quotient divides by the step actually taken (x + h - (x - h) is not exactly 2h).
    With `richardson`, ``(4 D(h/2) - D(h)) / 3`` cancels the h² error term (Nocedal & Wright,
    *Numerical Optimization*, 2nd ed., §8.1), at twice the evaluations.
    """
    grads = [[None] * len(inputs) for _ in grad_outs]
    for position, x in enumerate(inputs):
        if not op.is_float_input(position):
            continue
        per_call = [np.zeros_like(x) for _ in grad_outs]
        for flat in range(x.size):
            h = step * max(1.0, abs(float(x.flat[flat])))
            quotients = _quotients(module, op, inputs, position, flat, h, grad_outs)
            if richardson:
                halved = _quotients(module, op, inputs, position, flat, h / 2, grad_outs)
                quotients = [(4.0 * q_half - q) / 3.0 for q_half, q in zip(halved, quotients)]
            for call, quotient in enumerate(quotients):
                per_call[call].flat[flat] = quotient
        for call in range(len(grad_outs)):
            grads[call][position] = per_call[call]
    return tuple(tuple(g) for g in grads)


def _quotients(module, op, inputs, position, flat, h, grad_outs):
    """(<f(x + h e), d> - <f(x - h e), d>) / step taken, for coordinate `flat` of input `position`."""
    x, shifted = inputs[position], list(inputs)
    plus, minus = x.copy(), x.copy()
    plus.flat[flat] += h
    minus.flat[flat] -= h
    shifted[position] = plus
    f_plus = _forward(module, op, shifted)
    shifted[position] = minus
    f_minus = _forward(module, op, shifted)
    taken = float(plus.flat[flat] - minus.flat[flat])
    return [float(np.sum((f_plus - f_minus) * d)) / taken for d in grad_outs]


class Reference:
    """The hidden reference solution, loaded in the trusted process."""

    name = "reference"
    tolerance_rule = TOLERANCE_RULE
    tolerance = staticmethod(tolerance)

    def __init__(self, module):
        self.module = module

    def expect(self, op: OpSpec, case) -> Expected:
        instance = getattr(self.module, op.class_name)()
        with np.errstate(all="ignore"):
            output = np.asarray(instance.forward(*case.inputs), dtype=np.float64)
            grads = tuple(tuple(_as_float_or_none(g) for g in instance.backward(d)) for d in case.grad_outs)
        return Expected(output, grads)

    def well_posed(self, op: OpSpec, case, expected: Expected) -> bool:
        numeric = central_differences(self.module, op, case.inputs, case.grad_outs)
        return all(
            r is None or maxabs(f - r) <= WELL_POSED * max(1.0, maxabs(r))
            for call_fd, call_ref in zip(numeric, expected.grads)
            for f, r in zip(call_fd, call_ref)
        )


class Numeric:
    """Central differences of the given forward: the oracle of the students' public tests."""

    name = "numeric"
    tolerance_rule = N_(  # TOLERANCE_RULE, spelled out: extraction reads literals only
        "1e-6 * max|expected| + 1e-10, expected = central differences of the given forward")
    tolerance = staticmethod(tolerance)

    def __init__(self, module):
        self.module = module

    def expect(self, op: OpSpec, case) -> Expected:
        output = _forward(self.module, op, case.inputs)
        return Expected(output, central_differences(self.module, op, case.inputs, case.grad_outs,
                                                    NUMERIC_STEP, richardson=True))

    def well_posed(self, op, case, expected) -> bool:
        return True  # nothing to cross-check against; the families keep away from kinks


def _as_float_or_none(grad):
    return None if grad is None else np.asarray(grad, dtype=np.float64)
