"""Misconception detectors: one sentence that names the likely mistake behind a failed check.

``diagnose(op, case, verdict)`` works from numbers only, never from the student's source: the
verdict's kind, the gradients the student returned in the failing call and the oracle's, and
the case's inputs and ``grad_out``. For wrong values it recomputes the classic *wrong* answers
of the op from the inputs (research/teaching-autograd.md §8: no reduction over a broadcast axis,
swapped operands, ``grad_out`` ignored, ``x * (1 - x)`` for sigmoid, a missing ``/N``, a missing
transpose, ``grad_weight[indices] += grad_out`` with repeated indices, ...) and names the first
one the student's gradient matches, with the axis, index or factor that makes it concrete and
what to do. Structural kinds (arity, ``None`` for an integer input, mutation, state, overflow,
ties) are read from the verdict and the case.

It returns ``""`` when nothing specific is recognised: a wrong diagnosis misleads more than
none. It never raises (any internal error gives ``""``) and takes well under a millisecond on
the kit's example sizes, so it can run on every failed property, in the public tests and in
the hidden grader alike.
"""

import itertools
import re

import numpy as np

# A candidate matches when max|got - candidate| <= RTOL * scale + ATOL. Bugs are off by O(1);
# the slack absorbs the Numeric oracle's central-difference error, at most
# 2.6e-8 * max(1, max|g|) (research/gradcheck.md §7.4).
RTOL, ATOL = 1e-6, 1e-7
FACTOR_RTOL = 1e-5   # how exactly a fitted constant factor must equal a named value
EXP_LIMIT = 700.0    # exp() overflows float64 beyond ~709.78; the stability families go to 1000


def diagnose(op, case, verdict) -> str:
    """One sentence naming the likely mistake behind a failed verdict, or "" if none is recognised."""
    try:
        with np.errstate(all="ignore"):
            sentence = _BY_KIND.get(verdict.kind, _nothing)(_Failure(op, case, verdict))
        return sentence if isinstance(sentence, str) else ""
    except Exception:  # noqa: BLE001 - a diagnosis is a hint; it must never break grading
        return ""


# --------------------------------------------------------------------------- the failure, as numbers

def _array_or_none(value):
    if value is None:
        return None
    array = np.asarray(value)
    return array.astype(np.float64) if array.dtype.kind in "biuf" else None


class _Failure:
    """What diagnose needs from (op, case, verdict), converted once, for one gradient position."""

    def __init__(self, op, case, verdict, position=None):
        self.op, self.case, self.verdict = op, case, verdict
        self.position = verdict.position if position is None else position
        self.inputs = tuple(np.asarray(x) for x in case.inputs)
        call = verdict.call if 0 <= verdict.call < len(case.grad_outs) else 0
        self.d = np.asarray(case.grad_outs[call], dtype=np.float64)
        self.grads = tuple(_array_or_none(g) for g in (verdict.grads or ()))
        self.expected_grads = tuple(_array_or_none(g) for g in (verdict.expected_grads or ()))
        self.got = self._pick(self.grads, verdict.got)
        self.expected = self._pick(self.expected_grads, verdict.expected if verdict.kind == "values" else None)
        self.keep = self._off_ties()

    def _pick(self, entries, fallback):
        if 0 <= self.position < len(entries) and entries[self.position] is not None:
            return entries[self.position]
        return _array_or_none(fallback)

    def _off_ties(self):
        """For max with exact ties (the ties family): compare values away from the ties only."""
        if self.op.key != "max" or len(self.inputs) != 2:
            return None
        a, b = self.inputs
        return (a != b) if a.shape == b.shape and (a == b).any() else None

    def at(self, position):
        return _Failure(self.op, self.case, self.verdict, position)

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
        scale = max(_maxabs(x), _maxabs(y))
        return _maxabs(x - y) <= RTOL * scale + ATOL

    def matches(self, candidate) -> bool:
        """got equals the candidate, and the candidate is a different answer from the right one."""
        candidate = np.asarray(candidate, dtype=np.float64)
        if self.got is None or not self.close(self.got, candidate):
            return False
        return self.expected is None or candidate.shape != self.expected.shape \
            or not self.close(candidate, self.expected)


def _maxabs(array) -> float:
    return float(np.abs(array).max(initial=0.0))


def _shape(shape) -> str:
    return str(tuple(int(n) for n in shape))


def _index(index) -> str:
    return "()" if index == () else str(tuple(int(i) for i in index)).replace(",)", ")")


def _axes(axes) -> str:
    axes = tuple(axes)
    return f"axis {axes[0]}" if len(axes) == 1 else f"axes {axes}"


def _num(value) -> str:
    return f"{float(value):.4g}"


def _returned_tuple(op) -> str:
    names = [op.grad_name(i) if op.is_float_input(i) else "None" for i in range(len(op.inputs))]
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def _nothing(f) -> str:
    return ""


# --------------------------------------------------------------------------- structural kinds

def _returned_type(f) -> str:
    reason, op = f.verdict.reason, f.op
    container = re.match(r"backward returned a (\w+);", reason)
    if container:
        what = container.group(1)
        if what == "NoneType":
            return f"backward returned None: it needs a return statement, return {_returned_tuple(op)}"
        if what in ("ndarray", "float64", "float", "int"):
            single = " (the trailing comma makes a one-element tuple)" if len(op.inputs) == 1 else ""
            return (f"backward returned a bare array instead of a tuple with one entry per input: "
                    f"return {_returned_tuple(op)}{single}")
        return f"backward returned a {what}: return a tuple with one entry per input, {_returned_tuple(op)}"
    if f.position >= 0 and "is None" in reason:
        return (f"{f.name} is None: None is only for integer inputs; every float input needs a gradient "
                f"array shaped like {f.source}")
    foreign = re.search(r" is a (\w+); it must be", reason)
    if f.position >= 0 and foreign:
        return f"{f.name} is a {foreign.group(1)}: return a float64 ndarray (e.g. np.asarray(..., dtype=float))"
    return ""


def _arity(f) -> str:
    op, count = f.op, len(f.grads)
    integers = [name for name in op.inputs if name in op.integer_inputs]
    plural = "s" * (count != 1)
    if count < len(op.inputs) and integers:
        return (f"backward returned {count} value{plural} for {len(op.inputs)} inputs: return one entry per "
                f"input, with None for the integer {integers[0]}: {_returned_tuple(op)}")
    return (f"backward returned {count} value{plural} but forward takes {len(op.inputs)} input"
            f"{'s' * (len(op.inputs) != 1)}: return one entry per input, in order: {_returned_tuple(op)}")


def _integer_grad(f) -> str:
    what = {"labels": "class labels", "indices": "row indices"}.get(f.source, "integers")
    return (f"{f.source} are integer {what} and have no gradient: return None in their place, "
            f"{_returned_tuple(f.op)}, not an array of zeros")


def _dtype(f) -> str:
    got = np.asarray(f.verdict.grads[f.position]) if 0 <= f.position < len(f.verdict.grads) else None
    if got is None or got.dtype.kind not in "biu":
        return ""
    made_of = "a boolean mask" if got.dtype.kind == "b" else "an integer array"
    return (f"{f.name} has dtype {got.dtype}, so it was built from {made_of} (e.g. np.zeros_like of an "
            f"integer array, or a mask not multiplied by grad_out): build it as float64")


def _mutation(f) -> str:
    if f.position < 0 or "grad_out" in f.verdict.reason:
        return ("backward changed grad_out in place (e.g. grad_out *= ..., grad_out[mask] = 0, or a helper "
                "writing into it): the caller still needs it, so compute new arrays (g = grad_out * ...) "
                "or work on grad_out.copy()")
    return (f"backward changed its input {f.source} in place (e.g. self.{f.source} *= ... or writing into a "
            f"view of it): the inputs belong to the caller, so compute new arrays instead")


def _stateful(f) -> str:
    second, first = f.got, _array_or_none(f.verdict.expected)
    if second is not None and first is not None and _maxabs(first) > ATOL and f.close(second, 2.0 * first):
        return (f"the second backward call with the same grad_out returned twice the first {f.name}: a "
                f"buffer kept on self keeps adding up; start from fresh zeros in every call")
    return (f"a second backward call with the same grad_out gave a different {f.name}: backward changes "
            f"something it keeps on self (e.g. a cached array updated in place, like self.probs -= ...); "
            f"compute fresh arrays in every call")


def _zero_upstream(f) -> str:
    return (f"with grad_out = 0, {f.name} should be all zeros but is not: backward ignores grad_out (or adds "
            f"a term that does not depend on it); multiply the local derivative by grad_out")


def _linearity(f) -> str:
    return (f"{f.name} is not linear in grad_out (for grad_out = α·d1 + β·d2 it is not α·{f.name}(d1) + "
            f"β·{f.name}(d2)): multiply grad_out only by values computed from the inputs (no grad_out**2, "
            f"abs or sigmoid of grad_out), and keep nothing on self from one call to the next")


def _error(f) -> str:
    reason, op = f.verdict.reason, f.op
    if op.key == "matmul" and "matmul" in reason and "mismatch" in reason:
        a, b = f.inputs
        return (f"a matrix product in backward has mismatched shapes: with a {_shape(a.shape)}, "
                f"b {_shape(b.shape)} and grad_out {_shape(f.d.shape)}, grad_a must be {_shape(a.shape)} and "
                f"grad_b {_shape(b.shape)}; match the shapes (a transpose is missing or the factors are swapped)")
    if "could not be broadcast" in reason:
        shapes = ", ".join(f"{name} {_shape(np.shape(x))}" for name, x in zip(op.inputs, f.inputs))
        return (f"arrays in backward do not broadcast together: grad_out has the output's shape "
                f"{_shape(f.d.shape)} and the inputs are {shapes}; combine grad_out with the inputs first, "
                f"then reduce to each input's shape")
    return ""


# --------------------------------------------------------------------------- overflow

def _nonfinite(f) -> str:
    got = f.got
    if got is None:
        return ""
    bad = ~np.isfinite(got)
    if not bad.any():
        return ""
    where = np.unravel_index(int(np.argmax(bad)), got.shape) if got.shape else ()
    what = "nan" if np.isnan(got[where]) else "inf"
    if f.op.key == "sigmoid":
        x = float(f.inputs[0][where])
        if abs(x) > EXP_LIMIT:
            power = "-x" if x < 0 else "x"
            return (f"{f.name} is {what} at x = {_num(x)} (index {_index(where)}): exp({power}) overflows for "
                    f"|x| this large; compute the derivative from the cached output s = self.out, as "
                    f"s * (1 - s), without exp")
    if f.op.key == "softmax_ce" and got.ndim == 2:
        return _softmax_nonfinite(f, what, ~np.isfinite(got).all(axis=1))
    return ""


def _softmax_nonfinite(f, what, bad_rows) -> str:
    """Naive exp(logits) overflows (max > ~709) or underflows a whole row (all < ~-745); a shift by
    the batch's global maximum underflows every row far below it. Tell them apart by which rows broke."""
    logits = f.inputs[0].astype(np.float64)
    row_max, top = logits.max(axis=1), float(logits.max())
    big = row_max > EXP_LIMIT
    fix = "subtract each row's own maximum before exp (logits - logits.max(axis=1, keepdims=True))"
    if (bad_rows & big).any():
        row = int(np.flatnonzero(bad_rows & big)[0])
        return (f"{f.name} is {what} in row {row}, whose largest logit is {_num(row_max[row])}: exp(logits) "
                f"overflows there; {fix}")
    row = int(np.flatnonzero(bad_rows)[0])
    if (big & ~bad_rows).any() or top - row_max[row] > EXP_LIMIT > -row_max[row]:
        return (f"{f.name} is {what} in row {row}, whose logits are all at least {_num(top - row_max[row])} "
                f"below the largest logit of the batch: subtracting that global maximum makes exp underflow "
                f"to 0 in the row (0/0 = nan); {fix}")
    if row_max[row] < -EXP_LIMIT:
        return (f"{f.name} is {what} in row {row}, whose logits are all below {_num(row_max[row])}: "
                f"exp of the raw logits underflows to 0 in the whole row (0/0 = nan), and it overflows above "
                f"709; {fix}")
    return ""


# --------------------------------------------------------------------------- ties (max)

def _ties(f) -> str:
    for position in (0, 1):  # a value mistake away from the ties (ignored grad_out, ...) comes first
        sentence = _values(f.at(position))
        if sentence:
            return sentence
    (a, b), d = f.inputs, f.d
    grad_a, grad_b = (f.grads + (None, None))[:2]
    if grad_a is None or grad_b is None or grad_a.shape != d.shape or grad_b.shape != d.shape:
        return ""
    tied = (a == b) & (d != 0)
    if not tied.any():
        return ""
    if np.allclose(grad_a + grad_b, 1.0, rtol=0, atol=1e-9) and not np.allclose(d, 1.0, rtol=0, atol=1e-9):
        return ("grad_a and grad_b ignore grad_out: they are the 0/1 masks of which input wins; multiply each "
                "mask by grad_out")
    total = (grad_a + grad_b) / np.where(tied, d, 1.0)
    bad = tied & (np.abs(total - 1.0) > 1e-6)
    where = _index(np.unravel_index(int(np.argmax(bad if bad.any() else tied)), d.shape))
    ratios = total[tied]
    if np.allclose(ratios, 2.0, rtol=0, atol=1e-6):
        return (f"at ties (a == b, e.g. index {where}) both a and b received the whole grad_out, which doubles "
                f"it: route each tie to one input only, e.g. a >= b for grad_a and b > a for grad_b")
    if np.allclose(ratios, 0.0, rtol=0, atol=1e-6):
        return (f"at ties (a == b, e.g. index {where}) neither a nor b received grad_out, so it is lost: "
                f"use a >= b for grad_a (and b > a for grad_b) so each tie goes to exactly one input")
    return (f"at ties (a == b, e.g. index {where}) grad_out is not split into shares in [0, 1] that add up to 1: "
            f"give each tie to one input (a >= b for grad_a, b > a for grad_b) or split it, e.g. half each")


# --------------------------------------------------------------------------- wrong values and shapes

def _values(f) -> str:
    """A wrong gradient (kind values or shape): the first recognised wrong answer, else ""."""
    got, expected = f.got, f.expected
    if got is None or expected is None or not f.op.is_float_input(f.position):
        return ""
    if got.shape == expected.shape and f.close(got, expected):
        return ""  # nothing wrong with this one: never claim a mistake on a right answer
    for detector in (_wrong_order, _near_ties, _OP_DETECTORS.get(f.op.key, _nothing), _transposed,
                     _constant_factor, _all_zeros, _shape_only):
        sentence = detector(f)
        if sentence:
            return sentence
    return ""


def _near_ties(f) -> str:
    """Max: grad_out split where a and b are close but not equal (ties found with np.isclose)."""
    if f.op.key != "max" or len(f.inputs) != 2 or len(f.grads) < 2:
        return ""
    (a, b), d = f.inputs, f.d
    grad_a, grad_b = f.grads[:2]
    if grad_a is None or grad_b is None or not a.shape == b.shape == d.shape == grad_a.shape == grad_b.shape:
        return ""
    # Off the ties the larger input takes all of grad_out; a near tie is still off the ties.
    winner_a = np.where(a > b, d, 0.0)
    wrong = (a != b) & (d != 0) & ((np.abs(grad_a - winner_a) > 1e-9 * np.abs(d)) |
                                   (np.abs(grad_b - (d - winner_a)) > 1e-9 * np.abs(d)))
    gap = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    near = wrong & (gap < 1e-4)
    if not near.any() or (wrong & ~near).any():  # wrong away from near ties too: another mistake
        return ""
    i = np.unravel_index(int(np.argmax(near)), d.shape)
    return (f"at index {_index(i)} a and b differ by a relative {gap[i]:.1g}: a near tie, yet grad_out was "
            f"split as if they were equal (np.isclose?). Only exact equality a == b is a tie; route "
            f"everything else to the larger input with an exact comparison, a >= b or a > b")


def _wrong_order(f) -> str:
    for other, candidate in enumerate(f.expected_grads):
        if other == f.position or candidate is None or not f.op.is_float_input(other):
            continue
        if candidate.shape == f.expected.shape and f.close(candidate, f.expected):
            continue  # both right gradients are equal (add, same shapes): the order cannot matter
        mine = f.grads[other] if other < len(f.grads) else None
        if mine is not None and f.matches(candidate) and f.close(mine, f.expected):  # both swapped
            right = f.op.grad_name(other)
            a, b = f.inputs[:2]
            if f.op.key in ("mul", "max") and a.shape == b.shape:
                rule = ("the operands are swapped (the mul gate swaps: grad_a = grad_out * b)" if f.op.key == "mul"
                        else "the mask is swapped (grad_a gets grad_out where a > b)")
                return (f"{f.name} equals the right {right}: either {rule} or the gradients are returned in the "
                        f"wrong order; return {_returned_tuple(f.op)}")
            return (f"{f.name} equals the right {right}: the gradients are returned in the wrong order; "
                    f"return them in forward's input order, {_returned_tuple(f.op)}")
    return ""


def _transposed(f) -> str:
    got, expected = f.got, f.expected
    if got.ndim != 2 or expected.ndim != 2 or expected.shape[0] == 1 and expected.shape[1] == 1:
        return ""
    if got.shape == expected.shape[::-1] and f.matches(expected.T):
        return (f"{f.name} is the transpose of the right gradient: it must have {f.source}'s shape "
                f"{_shape(expected.shape)}; transpose it, or write the product the other way round "
                f"((XY)ᵀ = YᵀXᵀ)")
    if got.shape == expected.shape and expected.shape[0] != expected.shape[1] \
            and f.matches(expected.T.reshape(expected.shape)):
        return (f"{f.name} holds the right numbers in transposed order: a {_shape(expected.shape[::-1])} result "
                f"was reshaped to {_shape(expected.shape)}, but reshape does not transpose; use .T")
    if got.shape == expected.shape[::-1] and got.shape != expected.shape:
        return (f"{f.name} has shape {_shape(got.shape)}, the transpose of {f.source}'s shape "
                f"{_shape(expected.shape)}: a transpose is missing, or a product's factors are in the wrong order")
    return ""


def _all_zeros(f) -> str:
    if _maxabs(f.got) <= ATOL and _maxabs(f.expected) > 10 * ATOL and f.got.shape == f.expected.shape:
        return f"{f.name} is all zeros but the right gradient is not: no contribution of grad_out reached it"
    return ""


def _shape_only(f) -> str:
    """A wrong shape whose values match no candidate: say what the shape shows."""
    got, expected, op = f.got, f.expected, f.op
    if got.shape == expected.shape:
        return ""
    if op.key in ("mul", "add", "max") and got.shape == f.d.shape:
        return _broadcast_fix(f, "has the output's shape")
    if op.key == "embedding" and got.shape == f.d.shape:
        return (f"{f.name} has grad_out's shape {_shape(got.shape)}, not weight's shape {_shape(expected.shape)}: "
                f"start from np.zeros_like(weight) and add each grad_out row into the row it was looked up from "
                f"(np.add.at(grad_weight, indices, grad_out))")
    return ""


# --------------------------------------------------------------------------- constant factors

def _named_factors(f):
    """(value, sentence) for the factors worth a name on this op, most specific first."""
    name, op, d = f.name, f.op, f.d
    named = [(-1.0, f"{name} has the wrong sign everywhere (it is -1 times the right gradient): check the sign of "
                    f"the local derivative")]
    if op.key == "softmax_ce":
        n_rows, n_classes = f.inputs[0].shape
        upstream = float(d)
        if upstream != 0:
            named.append((1.0 / upstream, f"{name} ignores grad_out: it is right only for grad_out = 1; multiply "
                                          f"by grad_out (a 0-d value, here {_num(upstream)})"))
            named.append((upstream, f"{name} is multiplied by grad_out twice (it is grad_out = {_num(upstream)} "
                                    f"times the right gradient)"))
        if n_rows > 1:
            named.append((float(n_rows), f"{name} is N = {n_rows} times too large: the loss is the mean over the "
                                         f"N rows, so divide the gradient by N"))
            named.append((1.0 / n_rows, f"{name} is 1/N = 1/{n_rows} of the right gradient: it is divided by N "
                                        f"twice; divide once"))
            if upstream != 0:
                named.append((n_rows / upstream, f"{name} ignores grad_out and is not divided by N = {n_rows}: "
                                                 f"multiply by grad_out and divide by N"))
        if n_classes != n_rows:
            named.append((n_rows / n_classes, f"{name} is divided by C = {n_classes} (the number of classes) "
                                              f"instead of N = {n_rows} (the number of rows)"))
    if op.key == "matmul":
        (m, n), p = f.inputs[0].shape, f.inputs[1].shape[1]
        for size, what in ((m, "m, the number of rows of a"), (n, "n, the inner dimension"),
                           (p, "p, the number of columns of b")):
            if size > 1:
                named.append((1.0 / size, f"{name} is 1/{size} of the right gradient (divided by {what}): a matrix "
                                          f"product is a sum, not a mean; drop the division"))
                named.append((float(size), f"{name} is {size} times the right gradient (multiplied by {what})"))
    if op.key in ("mul", "add", "max"):
        copies = f.d.size // max(1, int(np.size(f.inputs[f.position])))
        if copies > 1:
            named.append((1.0 / copies, f"{name} is 1/{copies} of the right gradient: the {copies} broadcast copies "
                                        f"of {f.source} were averaged (mean); sum them instead"))
    named += [(2.0, f"{name} is 2 times the right gradient: a contribution is counted twice"),
              (0.5, f"{name} is half the right gradient: a factor of 2 is missing")]
    return named


def _constant_factor(f) -> str:
    got, expected = f.got, f.expected
    if got.shape != expected.shape:
        return ""
    e, g = expected.ravel(), got.ravel()
    if f.keep is not None:
        e, g = e[f.keep.ravel()], g[f.keep.ravel()]
    norm = float(e @ e)
    if norm <= ATOL ** 2:
        return ""
    factor = float(g @ e) / norm
    if abs(factor) <= 1e-9 or abs(factor - 1.0) <= 1e-6 or not f.close(g, factor * e):
        return ""
    for value, sentence in _named_factors(f):
        if abs(factor - value) <= FACTOR_RTOL * abs(value):
            return sentence
    # An unnamed factor is only evidence when several independent entries agree on it.
    if int((np.abs(e) > RTOL * _maxabs(e) + ATOL).sum()) >= 3:
        return f"{f.name} is {factor:.4g} times the right gradient everywhere: a constant factor is off"
    return ""


# --------------------------------------------------------------------------- mul, add, max: broadcasting

def _broadcast_axes(out_shape, shape):
    """The axes of the output that NumPy stretched to broadcast `shape` up to `out_shape`."""
    lead = len(out_shape) - len(shape)
    stretched = tuple(lead + k for k, size in enumerate(shape) if size == 1 and out_shape[lead + k] != 1)
    return tuple(range(lead)) + stretched, stretched


def _broadcast_fix(f, what: str) -> str:
    shape = np.shape(f.inputs[f.position])
    axes, stretched = _broadcast_axes(f.d.shape, shape)
    if not axes:
        return ""
    how = (" with keepdims=True" if len(stretched) == len(axes) else " and reshape") if stretched else ""
    return (f"{f.name} {what} {_shape(f.d.shape)}: sum it over {_axes(axes)}{how} to get back "
            f"{f.source}'s shape {_shape(shape)}")


def _first_slices_summed(d, times):
    """grad_out after ``g[0] = g.sum(0); g = g[0]`` ran `times` times on it: a reduction written in place."""
    mutated = d.copy()
    view = mutated
    for _ in range(times):
        if view.ndim == 0:
            break
        view[0] = view.sum(axis=0)
        view = view[0]
    return mutated


def _elementwise_candidates(f):
    """(label, full) per candidate: the gradient of this input *before* reduction, in the output's shape."""
    i = f.position
    x, other = (np.asarray(v, dtype=np.float64) for v in (f.inputs[i], f.inputs[1 - i]))
    d = f.d
    leading_other = d.ndim - other.ndim
    mutated = _first_slices_summed(d, leading_other) if leading_other > 0 else None
    if f.op.key == "mul":
        pairs = [("right", d * other), ("swapped", d * x), ("ignored", other + 0 * d), ("squared", d * x * other)]
        if mutated is not None:
            pairs.append(("mutated", mutated * other))
        return pairs
    if f.op.key == "add":
        pairs = [("right", d), ("ignored", np.ones_like(d)), ("ones", None)]
        return pairs + ([("mutated", mutated)] if mutated is not None else [])
    wins = np.broadcast_to(x >= other if i == 0 else x > other, d.shape)
    loses = np.broadcast_to(other >= x if i == 1 else other > x, d.shape)
    return [("right", d * wins), ("mask_swapped", d * loses), ("ignored", wins.astype(np.float64)),
            ("unrouted", d.copy())]


_CANDIDATE_SENTENCES = {
    "swapped": "{name} matches grad_out * {source}: the operands are swapped; the mul gate swaps them, so "
               "{name} = grad_out * {other}",
    "ignored": "{name} ignores grad_out: it matches {local}, as if grad_out were all ones; {fix}",
    "squared": "{name} matches grad_out * a * b: the local derivative of a * b with respect to {source} is "
               "{other} alone",
    "mutated": "{name} was computed from a grad_out that an earlier step had already modified in place (its "
               "first slice holds a sum, as after grad[0] = grad.sum(0)): never write into grad_out or a view "
               "of it; build new arrays",
    "mask_swapped": "{name} gets grad_out where {other} wins and 0 where {source} wins: the mask is swapped; "
                    "max routes grad_out to the input that is larger",
    "unrouted": "{name} gets grad_out everywhere: max routes grad_out only to where {source} is the larger "
                "input, and 0 elsewhere",
}
_LOCAL = {"mul": ("the local derivative {other} alone", "multiply it by grad_out"),
          "add": ("1 per broadcast copy", "the add gate passes grad_out itself on"),
          "max": ("the 0/1 mask of where {source} wins", "multiply the mask by grad_out")}


def _elementwise(f) -> str:
    matches = _elementwise_matches(f)
    if len(matches) > 1:
        # Tiny examples can fit two mistakes (max where a wins everywhere: "mask swapped" and
        # "grad_out sent to both" give the same grad_b). The other gradient tells them apart.
        other = f.at(1 - f.position)
        matches = [m for m in matches if _fits(other, m[0])] or matches
    if not matches:
        return ""
    label, right_axes, summed = matches[0]
    if label == "ones":
        return (f"{f.name} ignores grad_out: it is all ones (the local derivative of a + b) instead of grad_out, "
                f"summed over the axes where {f.source} was broadcast")
    return _elementwise_sentence(f, label, right_axes, summed)


def _fits(f, label) -> bool:
    """Does this position's returned gradient equal the `label` candidate, correctly reduced?"""
    full = dict(_elementwise_candidates(f)).get(label)
    if full is None or f.got is None:
        return False
    shape = np.shape(f.inputs[f.position])
    axes, _ = _broadcast_axes(f.d.shape, shape)
    reduced = np.broadcast_to(full, f.d.shape).sum(axis=axes).reshape(shape)
    return f.close(reduced, f.got)


def _elementwise_matches(f):
    """[(label, right axes summed?, axes summed)] for every candidate that got matches, best first."""
    got, shape = f.got, np.shape(f.inputs[f.position])
    if got is None or f.expected is None:
        return []
    out_shape = f.d.shape
    if f.keep is not None and f.keep.shape == got.shape:  # ties: compare away from them only
        got = np.where(f.keep, got, 0.0)
    axes, _ = _broadcast_axes(out_shape, shape)
    right = {axis for axis in axes if out_shape[axis] > 1}
    relevant = [axis for axis in range(len(out_shape)) if out_shape[axis] > 1]
    subsets = [s for k in range(len(relevant) + 1) for s in itertools.combinations(relevant, k)]
    subsets.sort(key=lambda s: len(right.symmetric_difference(s)))  # the right axes first
    matches = []
    for label, full in _elementwise_candidates(f):
        if full is None:  # np.ones(input's shape), not reduced from anything
            if got.shape == shape and f.matches(np.ones(shape)):
                matches.append((label, True, ()))
            continue
        full = np.broadcast_to(full, out_shape)
        if f.keep is not None and f.keep.shape == full.shape:
            full = np.where(f.keep, full, 0.0)
        for summed in subsets:
            reduced = full.sum(axis=summed)
            if reduced.size != got.size or not f.close(reduced.ravel(), got.ravel()):
                continue
            if label != "right" and f.expected.size == reduced.size \
                    and f.close(reduced.ravel(), f.expected.ravel()):
                continue  # this wrong formula gives the right answer here: not evidence
            if label != "right" or set(summed) != right or got.shape != shape:
                matches.append((label, set(summed) == right, summed))
            break
    return matches


def _elementwise_sentence(f, label, right_axes, summed) -> str:
    got, shape, out_shape = f.got, np.shape(f.inputs[f.position]), f.d.shape
    axes, stretched = _broadcast_axes(out_shape, shape)
    if right_axes and got.shape == shape:
        reduction = ""
    elif right_axes and got.shape == out_shape:
        reduction = _broadcast_fix(f, "has the output's shape")
    elif right_axes:
        how = ("sum with keepdims=True" if len(got.shape) < len(shape) else
               f"sum over {_axes(axes)} of grad_out" if axes else "do not sum")
        reduction = (f"{f.name} has the right values but shape {_shape(got.shape)} instead of {f.source}'s shape "
                     f"{_shape(shape)}: {how}, or reshape to {_shape(shape)}")
    elif not summed:
        reduction = _broadcast_fix(f, "has the output's shape" if got.shape == out_shape
                                   else "was not summed over the broadcast axes of the output")
    else:
        reduction = (f"{f.name} was summed over {_axes(summed)} of grad_out {_shape(out_shape)}, but "
                     f"{f.source} {_shape(shape)} was broadcast along {_axes(axes) if axes else 'no axis'}: "
                     f"sum over exactly those" + (" (keepdims=True for the size-1 ones)" if stretched else ""))
    if label == "right":
        return reduction
    other = f.op.inputs[1 - f.position]
    local, fix = (text.format(other=other, source=f.source) for text in _LOCAL[f.op.key])
    sentence = _CANDIDATE_SENTENCES[label].format(name=f.name, source=f.source, other=other, local=local, fix=fix)
    return sentence + (f"; also, {reduction}" if reduction else "")


# --------------------------------------------------------------------------- sigmoid

def _sigmoid(f) -> str:
    x, d = f.inputs[0].astype(np.float64), f.d
    s = np.exp(-np.logaddexp(0.0, -x))       # sigmoid(x), as forward computes it
    twice = np.exp(-np.logaddexp(0.0, -s))   # sigmoid(sigmoid(x))
    candidates = (
        (s * (1.0 - s), f"{f.name} ignores grad_out: it is the local derivative s * (1 - s) alone; multiply it "
                        f"by grad_out"),
        (d * s, f"{f.name} matches grad_out * s: s = sigmoid(x) is not its own derivative; use s * (1 - s)"),
        (d * x * (1.0 - x), f"{f.name} matches grad_out * x * (1 - x): that formula takes sigmoid's output s, "
                            f"not its input x; use s * (1 - s) with s = self.out"),
        (d * twice * (1.0 - twice), f"{f.name} matches sigmoid applied twice: self.out is already sigmoid(x), so "
                                    f"use it directly in s * (1 - s) instead of taking sigmoid of it again"),
        (d * (1.0 - s), f"{f.name} matches grad_out * (1 - s): a factor s is missing; the derivative is "
                        f"s * (1 - s)"),
        (s * (1.0 - s) / (1.0 + np.exp(-d)), f"{f.name} matches sigmoid(grad_out) * s * (1 - s): sigmoid was "
                                             f"applied to grad_out; multiply grad_out itself by s * (1 - s)"),
    )
    for candidate, sentence in candidates:
        if f.matches(candidate):
            return sentence
    return ""


# --------------------------------------------------------------------------- matmul

def _matmul(f) -> str:
    a, b = (v.astype(np.float64) for v in f.inputs)
    d = f.d
    ones = np.ones_like(d)
    if f.position == 0:
        candidates = (
            (lambda: ones @ b.T, "grad_a ignores grad_out: it matches an all-ones grad_out (ones @ b.T); use "
                                 "grad_out itself"),
            (lambda: d @ b, "grad_a matches grad_out @ b: b needs a transpose (grad_a must be (m, n) from "
                            "grad_out (m, p) and b (n, p))"),
            (lambda: b.T @ d, "grad_a matches b.T @ grad_out: the factors are in the wrong order; grad_out "
                              "comes first, then the transposed b"),
            (lambda: b @ d.T, "grad_a matches b @ grad_out.T, the transpose of the right gradient: swap the "
                              "factors and transpose each ((XY)ᵀ = YᵀXᵀ)"),
            (lambda: d @ a.T, "grad_a matches grad_out @ a.T: it is built from a, but the operands are swapped; "
                              "grad_a comes from grad_out and b"),
            (lambda: a.T @ d, "grad_a matches a.T @ grad_out, which is the right grad_b: the operands are swapped; "
                              "grad_a comes from grad_out and b"),
        )
    else:
        candidates = (
            (lambda: a.T @ ones, "grad_b ignores grad_out: it matches an all-ones grad_out (a.T @ ones); use "
                                 "grad_out itself"),
            (lambda: b.T @ d, "grad_b matches b.T @ grad_out: it is built from b, but the operands are swapped; "
                              "grad_b comes from a and grad_out"),
            (lambda: a @ d, "grad_b matches a @ grad_out: a needs a transpose (grad_b must be (n, p) from "
                            "a (m, n) and grad_out (m, p))"),
            (lambda: d @ a.T, "grad_b matches grad_out @ a.T: the factors are in the wrong order; the "
                              "transposed a comes first, then grad_out"),
            (lambda: d.T @ a, "grad_b matches grad_out.T @ a, the transpose of the right gradient: swap the "
                              "factors and transpose each ((XY)ᵀ = YᵀXᵀ)"),
            (lambda: d @ b.T, "grad_b matches grad_out @ b.T, which is the right grad_a: the operands are swapped; "
                              "grad_b comes from a and grad_out"),
        )
    for compute, sentence in candidates:
        try:
            candidate = compute()
        except ValueError:  # the shapes of this wrong product do not line up in this example
            continue
        if f.matches(candidate):
            return sentence
    return ""


# --------------------------------------------------------------------------- softmax cross-entropy

def _softmax(z, axis):
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_ce(f) -> str:
    logits, labels = f.inputs[0].astype(np.float64), f.inputs[1].astype(np.int64)
    n_rows, n_classes = logits.shape
    scale = float(f.d) / n_rows
    onehot = np.eye(n_classes)[labels]
    probs = _softmax(logits, 1)
    candidates = [(scale * probs, f"{f.name} matches softmax(logits) * grad_out / N: the one-hot of the labels "
                                  f"was not subtracted; the gradient is (softmax - onehot(labels)) / N")]
    columns = np.zeros_like(probs)
    columns[:, labels] = 1.0
    candidates.append((scale * (probs - columns),
                       f"{f.name} matches probs[:, labels] -= 1, which subtracts 1 in every row at every label's "
                       f"column: index one entry per row, probs[np.arange(N), labels] -= 1"))
    candidates.append((scale * (_softmax(logits, 0) - onehot),
                       f"{f.name} matches a softmax taken over axis 0 (down the rows): normalise each row "
                       f"over its classes instead, with axis=1, keepdims=True"))
    for candidate, sentence in candidates:
        if f.matches(candidate):
            return sentence
    return ""


# --------------------------------------------------------------------------- embedding

def _embedding(f) -> str:
    weight, indices = f.inputs[0].astype(np.float64), f.inputs[1].astype(np.int64)
    got, expected, d = f.got, f.expected, f.d
    vocab, dim = weight.shape
    if got.shape != (vocab, dim):
        return ""
    flat = indices.ravel()
    rows = d.reshape(flat.size, dim)
    counts = np.bincount(flat, minlength=vocab)
    if rows.shape == got.shape and f.matches(rows):
        return (f"{f.name} is grad_out itself, row for row: row i of grad_out belongs to row indices[i] of "
                f"grad_weight; scatter it there with np.add.at(grad_weight, indices, grad_out)")
    if f.matches(np.repeat(counts[:, None].astype(np.float64), dim, axis=1)):
        return (f"{f.name} ignores grad_out: row v holds the number of times v was looked up; add the grad_out "
                f"rows themselves (np.add.at(grad_weight, indices, grad_out))")
    if (counts > 1).any() and f.matches(expected / np.maximum(counts, 1)[:, None]):
        v = int(np.flatnonzero(counts > 1)[0])
        return (f"{f.name} averages repeated lookups: index {v} appears {int(counts[v])} times and grad_weight[{v}] "
                f"is the mean of its grad_out rows; it must be their sum (np.add.at(grad_weight, indices, grad_out))")
    if f.matches(expected + weight):
        return f"{f.name} starts from weight instead of zeros: begin with np.zeros_like(weight), then add grad_out"
    if indices.ndim >= 2:
        per_row = np.zeros_like(weight)
        for i in range(len(indices)):
            per_row[indices[i]] += d[i]  # the wrong loop: repeats inside one row still collapse
        if f.matches(per_row):
            for i in range(len(indices)):
                values, seen = np.unique(indices[i], return_counts=True)
                if (seen > 1).any():
                    v, k = int(values[seen > 1][0]), int(seen[seen > 1][0])
                    return (f"index {v} appears {k} times within indices[{i}], but grad_weight[{v}] counts it once "
                            f"per row of the first axis: grad_weight[indices[i]] += grad_out[i] still drops repeats "
                            f"inside one row; use np.add.at(grad_weight, indices, grad_out) on the whole index array")
    scale = max(_maxabs(got), _maxabs(expected))
    bad = np.abs(got - expected).max(axis=1) > RTOL * scale + ATOL
    if not bad.any():
        return ""
    if (counts[bad] >= 2).all():
        v = int(np.flatnonzero(bad)[0])
        k = int(counts[v])
        if any(f.close(got[v], row) for row in rows[flat == v]):
            return (f"index {v} appears {k} times in indices, but grad_weight[{v}] holds only one of its {k} "
                    f"grad_out rows: indexed assignment (grad_weight[indices] = ... or += ...) keeps one value "
                    f"per repeated index; use np.add.at(grad_weight, indices, grad_out) to add them all")
        # Evidence that only the repeats go wrong: a row looked up once is right, or grad_weight[v]
        # is the sum of some of v's rows (a loop that drops a few of them).
        if ((counts >= 1) & ~bad).any() or _partial_sum(f, got[v], rows[flat == v]):
            return (f"index {v} appears {k} times in indices, but grad_weight[{v}] is not the sum of its {k} "
                    f"grad_out rows: repeated indices must add up; use np.add.at(grad_weight, indices, grad_out)")
        return ""
    if (counts[bad] == 0).all():
        v = int(np.flatnonzero(bad)[0])
        return (f"grad_weight[{v}] should be 0 because index {v} is never looked up: start from "
                f"np.zeros_like(weight) and add grad_out rows only where they were looked up")
    return ""


def _partial_sum(f, row, rows) -> bool:
    """Is `row` the sum of a non-empty proper subset of `rows`? (Only tried for up to 10 rows.)"""
    if not 2 <= len(rows) <= 10:
        return False
    chosen = np.array(list(itertools.product((0.0, 1.0), repeat=len(rows))))[1:-1]
    return any(f.close(row, total) for total in chosen @ rows)


_OP_DETECTORS = {
    "mul": _elementwise, "add": _elementwise, "max": _elementwise,
    "sigmoid": _sigmoid, "matmul": _matmul, "softmax_ce": _softmax_ce, "embedding": _embedding,
}

_BY_KIND = {
    "values": _values, "shape": _values, "ties": _ties, "nonfinite": _nonfinite,
    "type": _returned_type, "arity": _arity, "integer_grad": _integer_grad, "dtype": _dtype,
    "mutation": _mutation, "stateful": _stateful, "zero_upstream": _zero_upstream,
    "linearity": _linearity, "error": _error,
}
