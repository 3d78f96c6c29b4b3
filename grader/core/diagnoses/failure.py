"""The failure as numbers: what every hypothesis reads, converted once per gradient position.

`Failing` is what the grader hands over for one failed example: the case, the judge's verdict,
and, when known, the oracle's gradients for every backward call and the student's outcome (the
inputs and ``grad_out`` as backward left them). `Failure` views one gradient position of it.
"""

from dataclasses import dataclass, replace

import numpy as np

from ..judge import Kind
from ...i18n import _

# Two gradients agree when max|x - y| <= RTOL * scale + ATOL. Bugs are off by O(1); the slack
# absorbs the Numeric oracle's central-difference error, at most 2.6e-8 * max(1, max|g|) as
# measured for oracles.py's relative step.
RTOL, ATOL = 1e-6, 1e-7


@dataclass(frozen=True)
class Failing:
    """One failed example, as the grader saw it."""

    case: object
    verdict: object
    expected: object = None   # oracles.Expected: output and gradients for every call, or None
    outcome: object = None    # runners.Outcome: inputs_after, grad_outs_after, or None
    oracle: object = None     # recomputes the right gradients of a changed case (trusted code only)


def as_float(value):
    """A float64 array, or None when the value is not numeric (None, a string, an object)."""
    if value is None:
        return None
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything a student returned
        return None
    return array.astype(np.float64) if array.dtype.kind in "biuf" else None


def maxabs(array) -> float:
    return float(np.abs(array).max(initial=0.0))


def degenerate(verdict) -> bool:
    """The student's wrong values hide what the mistake is: all zeros where the right gradient is
    not (``0 * grad_out`` when the only index is 0), or one constant where the right one varies.
    Such an example is shown only when no other example fails the same way."""
    if verdict.kind != Kind.VALUES:
        return False
    got, expected = as_float(verdict.got), as_float(verdict.expected)
    if got is None or expected is None or got.shape != expected.shape or got.size == 0:
        return False
    if maxabs(got) <= ATOL and maxabs(expected) > ATOL:
        return True
    return got.size > 1 and float(np.ptp(got)) <= ATOL and float(np.ptp(expected)) > ATOL


class Failure:
    """One gradient position of a `Failing`: inputs, grad_out of the failing call, got, expected."""

    def __init__(self, op, failing: Failing, position=None):
        verdict, case = failing.verdict, failing.case
        self.op, self.failing, self.case, self.verdict = op, failing, case, verdict
        self.position = verdict.position if position is None else position
        self.inputs = tuple(np.asarray(x) for x in case.inputs)
        self.call = verdict.call if 0 <= verdict.call < len(case.grad_outs) else 0
        self.d = np.asarray(case.grad_outs[self.call], dtype=np.float64)
        self.grads = tuple(as_float(g) for g in (verdict.grads or ()))
        self.expected_grads = tuple(as_float(g) for g in (verdict.expected_grads or ()))
        self.got = self._pick(self.grads, verdict.got if position is None else None)
        fallback = verdict.expected if verdict.kind == Kind.VALUES and position is None else None
        self.expected = self._pick(self.expected_grads, fallback)
        self.keep = self._off_ties()

    def _pick(self, entries, fallback):
        if 0 <= self.position < len(entries) and entries[self.position] is not None:
            return entries[self.position]
        return as_float(fallback)

    def _off_ties(self):
        """Exact ties of two inputs (an op with ``compare_off_ties``): values are compared away from them only."""
        if not self.op.compare_off_ties or len(self.inputs) != 2:
            return None
        a, b = self.inputs
        return (a != b) if a.shape == b.shape and (a == b).any() else None

    def at(self, position):
        return Failure(self.op, self.failing, position)

    def expected_call(self, call):
        """The right gradients (a tuple per input) of backward call `call`, or None if unknown."""
        expected = self.failing.expected
        if expected is None or not 0 <= call < len(expected.grads):
            return None
        return tuple(as_float(g) for g in expected.grads[call])

    def recompute(self, inputs=None, grad_outs=None):
        """The right gradient at this position of the failing call for the case with other inputs
        or grad_outs (what a mistake made backward see), or None if there is no oracle or it fails."""
        oracle = self.failing.oracle
        if oracle is None:
            return None
        changed = replace(self.case, inputs=tuple(self.case.inputs if inputs is None else inputs),
                          grad_outs=tuple(self.case.grad_outs if grad_outs is None else grad_outs))
        try:
            grads = oracle.expect(self.op, changed).grads[self.call]
        except Exception:  # noqa: BLE001 - a changed input the reference cannot take (an index out of range)
            return None
        return as_float(grads[self.position]) if 0 <= self.position < len(grads) else None

    @property
    def name(self):
        return self.op.grad_name(self.position)

    @property
    def source(self):
        return self.op.inputs[self.position]

    def close(self, x, y) -> bool:
        """x and y agree (same shape, finite) within the diagnosis tolerance, ties masked out."""
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if x.shape != y.shape or not (np.isfinite(x).all() and np.isfinite(y).all()):
            return False
        if self.keep is not None and self.keep.shape == x.shape:
            x, y = np.where(self.keep, x, 0.0), np.where(self.keep, y, 0.0)
        scale = max(maxabs(x), maxabs(y))
        return maxabs(x - y) <= RTOL * scale + ATOL

    def matches(self, candidate) -> bool:
        """got equals the candidate, and the candidate is a different answer from the right one."""
        if candidate is None or self.got is None:
            return False
        candidate = np.asarray(candidate, dtype=np.float64)
        if not self.close(self.got, candidate):
            return False
        return self.expected is None or candidate.shape != self.expected.shape \
            or not self.close(candidate, self.expected)


# --------------------------------------------------------------------------- words

def shape_text(shape) -> str:
    return str(tuple(int(n) for n in shape))


def index_text(index) -> str:
    return "()" if index == () else str(tuple(int(i) for i in index)).replace(",)", ")")


def axes_text(axes) -> str:
    axes = tuple(axes)
    return _("axis {axis}").format(axis=axes[0]) if len(axes) == 1 else _("axes {axes}").format(axes=axes)


def num(value) -> str:
    return f"{float(value):.4g}"


def returned_tuple(op) -> str:
    names = [op.grad_name(i) if op.is_float_input(i) else "None" for i in range(len(op.inputs))]
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"
