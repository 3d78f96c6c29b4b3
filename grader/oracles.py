"""Oracles: what the right gradient is for one example.

* `Reference` runs the hidden reference ``backward`` (exact vs exact). Per input,
  ``max|g - r| <= 1e-6 * max|r| + 1e-10``: two different correct implementations used at most
  2.6e-3 of that budget, while real bugs are off by O(1) (research/gradcheck.md §7.6, §7.7).
  Every example is also checked by central differences of the reference *forward*; where the
  two disagree (a kink, cancellation) the example is ill-posed and discarded, never scored.
* `Numeric` has no reference backward: its expected gradient *is* the central difference of the
  given forward, with ``max|g - fd| <= 1e-5 * max(1, max|fd|)``. Measured FD error with a
  relative step is <= 2.6e-8 * max(1, |g|) for all seven ops, a 380x margin (§7.4). This is what
  students run locally, where no reference exists.

Both differentiate a *trusted* forward (the reference module, or the pristine given one), never
the student's.
"""

from dataclasses import dataclass

import numpy as np

from .contract import OpSpec

STEP = 1e-6          # relative step: h_i = STEP * max(1, |x_i|)
WELL_POSED = 1e-5    # FD vs reference agreement needed for an example to count


def maxabs(array) -> float:
    return float(np.abs(array).max(initial=0.0))


@dataclass(frozen=True)
class Expected:
    output: np.ndarray
    grads: tuple  # one tuple per backward call: an ndarray per float input, None per int input


def _forward(module, op: OpSpec, inputs):
    with np.errstate(all="ignore"):
        return np.asarray(getattr(module, op.class_name)().forward(*inputs), dtype=np.float64)


def central_differences(module, op: OpSpec, inputs, grad_outs):
    with np.errstate(all="ignore"):
        return _central_differences(module, op, inputs, grad_outs)


def _central_differences(module, op: OpSpec, inputs, grad_outs):
    """d<f(x), d>/dx for every float input and every d in grad_outs, by central differences.

    f(x + h) and f(x - h) are evaluated once per coordinate and dotted with every upstream;
    the quotient divides by the step actually taken (x + h - (x - h) is not exactly 2h).
    """
    grads = [[None] * len(inputs) for _ in grad_outs]
    for position, x in enumerate(inputs):
        if not op.is_float_input(position):
            continue
        per_call = [np.zeros_like(x) for _ in grad_outs]
        for flat in range(x.size):
            shifted = list(inputs)
            plus, minus = x.copy(), x.copy()
            h = STEP * max(1.0, abs(float(x.flat[flat])))
            plus.flat[flat] += h
            minus.flat[flat] -= h
            shifted[position] = plus
            f_plus = _forward(module, op, shifted)
            shifted[position] = minus
            f_minus = _forward(module, op, shifted)
            taken = float(plus.flat[flat] - minus.flat[flat])
            for call, d in enumerate(grad_outs):
                per_call[call].flat[flat] = float(np.sum((f_plus - f_minus) * d)) / taken
        for call in range(len(grad_outs)):
            grads[call][position] = per_call[call]
    return tuple(tuple(g) for g in grads)


class Reference:
    """The hidden reference solution, loaded in the trusted process."""

    name = "reference"
    tolerance_rule = "1e-6 * max|expected| + 1e-10"

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

    @staticmethod
    def tolerance(expected_grad) -> float:
        return 1e-6 * maxabs(expected_grad) + 1e-10


class Numeric:
    """Central differences of the given forward: the oracle of the students' public tests."""

    name = "numeric"
    tolerance_rule = "1e-5 * max(1, max|expected|), expected = central differences of the given forward"

    def __init__(self, module):
        self.module = module

    def expect(self, op: OpSpec, case) -> Expected:
        output = _forward(self.module, op, case.inputs)
        return Expected(output, central_differences(self.module, op, case.inputs, case.grad_outs))

    def well_posed(self, op, case, expected) -> bool:
        return True  # nothing to cross-check against; the families keep away from kinks

    @staticmethod
    def tolerance(expected_grad) -> float:
        return 1e-5 * max(1.0, maxabs(expected_grad))


def _as_float_or_none(grad):
    return None if grad is None else np.asarray(grad, dtype=np.float64)
