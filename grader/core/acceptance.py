"""The judge's fast path: accept the plainly right answers of many examples at once.

Most examples of a submission are answered right, and judging them one by one (judge.py) is a
few dozen small NumPy calls each: about 0.18 s of a grade. `accepted` reads a chunk of examples
together instead. Per example it checks only structure in Python (no exception, as many answers
as calls, a tuple or list per call, a float64 ndarray shaped like its input per float input,
``None`` per integer input, the inputs and ``grad_out`` left as they were); every numeric check
(finite, forward within its bound, each gradient within its tolerance, zeros for
``grad_out = 0``, linearity, a repeated call that agrees) then runs as one NumPy operation over
the chunk's arrays laid end to end.

**An accepted example is one the judge passes.** Each numeric check computes the judge's own
quantity (``max|got - want|`` against the same bound) with the same floating-point operations on
the same numbers: element-wise arithmetic gives the same bits on concatenated arrays as on each
one, and a maximum is exact. What it does not accept it leaves to the judge, which also says
why: an exception, a float32 or NaN gradient, a changed input, a tie, a wrong value. So verdicts
do not depend on which path read an example (tests/test_acceptance.py checks this on right,
wrong and borderline answers). Only ``gradient``, ``upstream`` and ``no_mutation`` are read
here; ``ties`` is the judge's alone.
"""

import numpy as np

from .judge import FORWARD_RTOL, PASS, REPEATED_CALL, SELF_RTOL, check_unchanged, judge

CHECKS = ("gradient", "upstream", "no_mutation")


def _segment_max(values: np.ndarray, sizes: list) -> np.ndarray:
    """max(values) over consecutive segments of these sizes; 0 for an empty segment."""
    sizes = np.asarray(sizes, dtype=np.intp)
    out = np.zeros(len(sizes))
    nonempty = sizes > 0
    if values.size:
        starts = np.cumsum(sizes) - sizes
        out[nonempty] = np.maximum.reduceat(values, starts[nonempty])
    return out


class _Claims:
    """What must hold for a chunk's candidates to pass, laid end to end, each part owned by one example.

    Against the oracle (`plans`): per example, its forward output and every gradient it returned,
    with the wants and bounds of `_plan`: ``max|got - want| <= bound``. Against the student's own
    answers (`relative`): a repeated call, linearity, with the judge's
    self-consistency bound ``SELF_RTOL * max|want| + 1e-10``. And ``max|got| <= 1e-10`` (`small`).
    """

    def __init__(self):
        self.owners, self.got, self.plans = [], [], []
        self.relative_owners, self.relative_got, self.relative_want = [], [], []
        self.small_owners, self.small = [], []
        self.linear_owners, self.linear = [], []   # (g1, g2, g3, alpha, beta)

    def failing(self) -> set:
        """The owners of every claim that does not hold."""
        bad = set()
        if self.plans:
            got = np.concatenate(self.got, axis=None)
            want = np.concatenate([plan.want for plan in self.plans])
            sizes = [size for plan in self.plans for size in plan.sizes]
            error = _segment_max(np.abs(got - want), sizes)
            ok = error <= np.concatenate([plan.bounds for plan in self.plans])
            if not np.isfinite(got).all():   # the judge refuses NaN and inf whatever the bound
                ok &= _segment_max((~np.isfinite(got)).astype(np.float64), sizes) == 0
            counts = np.asarray([len(plan.sizes) for plan in self.plans])
            passed = np.logical_and.reduceat(ok, np.cumsum(counts) - counts)   # every plan has its output
            bad.update(o for o, p in zip(self.owners, passed) if not p)
        if self.small:
            error = _segment_max(np.abs(np.concatenate(self.small, axis=None)), [a.size for a in self.small])
            bad.update(o for o, e in zip(self.small_owners, error) if not e <= 1e-10)
        if self.linear:
            self._add_linear()
        if self.relative_got:
            sizes = [a.size for a in self.relative_got]
            got, want = np.concatenate(self.relative_got, axis=None), np.concatenate(self.relative_want, axis=None)
            error, scale = _segment_max(np.abs(got - want), sizes), _segment_max(np.abs(want), sizes)
            # An infinite first answer makes the bound infinite: the judge compares those another way.
            ok = (error <= SELF_RTOL * scale + 1e-10) & np.isfinite(scale)
            bad.update(o for o, p in zip(self.relative_owners, ok) if not p)
        return bad

    def _add_linear(self) -> None:
        """The linear claims as relative ones: ``alpha*g1 + beta*g2`` for all of them in one go (each
        element is the same product and sum the judge computes array by array)."""
        g1, g2, g3, alpha, beta = zip(*self.linear)
        sizes = [a.size for a in g1]
        combined = np.repeat(alpha, sizes) * np.concatenate(g1, axis=None) + \
            np.repeat(beta, sizes) * np.concatenate(g2, axis=None)
        ends = np.cumsum(sizes)
        self.relative_owners += self.linear_owners
        self.relative_got += g3
        self.relative_want += [combined[start:end] for start, end in zip(ends - sizes, ends)]


class _Plan:
    """What one example's right answer is compared with, the same for every submission: its
    output, then each gradient the judge compares (`where`: call, position), laid end to end
    (`want`), with their sizes, shapes and bounds. Not `exact` where a want is not a float64 ndarray:
    the fast path then leaves the example to the judge."""

    def __init__(self, expected, tolerance):
        wants = [expected.output]
        self.bounds = [FORWARD_RTOL * expected.output_scale]
        self.where = []
        for call, expected_call in enumerate(expected.grads):
            for position, want in enumerate(expected_call):
                if want is not None:
                    self.where.append((call, position))
                    wants.append(want)
                    self.bounds.append(expected.tolerance_of(call, position, tolerance))
        self.want = np.concatenate(wants, axis=None).astype(np.float64, copy=False)
        self.sizes = [np.size(w) for w in wants]
        self.shapes = [np.shape(w) for w in wants]
        self.bounds = np.asarray(self.bounds, dtype=np.float64)
        self.calls = len(expected.grads)
        self.exact = all(type(w) is np.ndarray and w.dtype == np.float64 for w in wants)


def _plan(expected, tolerance) -> _Plan:
    memo = expected.__dict__.setdefault("_plans", {})   # frozen: the memo lives beside the fields
    if tolerance not in memo:
        memo[tolerance] = _Plan(expected, tolerance)
    return memo[tolerance]


def _entries(op, case, returned):
    """The gradients of one call if it has the plain shape of a right answer, else None."""
    entries = returned.entries
    if returned.container not in ("tuple", "list") or len(entries) != len(op.inputs):
        return None
    for position, entry in enumerate(entries):
        if op.is_float_input(position):
            if type(entry) is not np.ndarray or entry.dtype != np.float64 or entry.shape != np.shape(case.inputs[position]):
                return None
        elif entry is not None:
            return None
    return entries


def _claim(claims: _Claims, owner: int, prop, op, case, expected, outcome, tolerance) -> bool:
    """Gather the claims that make `judge` pass this example; False if its structure already rules that out."""
    returns, check = outcome.returns, prop.check
    if outcome.error or len(returns) != len(case.grad_outs):
        return False
    if check == "no_mutation" and (len(returns) != 2 or not check_unchanged(op, case, outcome).passed):
        return False
    grads = [_entries(op, case, returned) for returned in returns]
    if None in grads:
        return False
    if check == "no_mutation" or (check == "upstream" and len(grads) > REPEATED_CALL):
        first, again = (0, 1) if check == "no_mutation" else (1, REPEATED_CALL)
        pairs = [(a, b) for a, b in zip(grads[first], grads[again]) if a is not None]
        claims.relative_want += [a for a, _ in pairs]
        claims.relative_got += [b for _, b in pairs]
        claims.relative_owners += [owner] * len(pairs)
        if check == "no_mutation" and case.family != op.base_family:
            return True   # the judge reads no more than state on another family's example
    plan = _plan(expected, tolerance)
    output = outcome.output
    if not plan.exact or plan.calls != len(grads) or type(output) is not np.ndarray or output.dtype != np.float64:
        return False
    got = [output] + [grads[call][position] for call, position in plan.where]
    if any(g is None or g.shape != shape for g, shape in zip(got, plan.shapes)):
        return False
    if sum(g is not None for entries in grads for g in entries) != len(plan.where):
        return False   # a float input the oracle says nothing about: the judge's finiteness check
    claims.got += got
    claims.plans.append(plan)
    claims.owners.append(owner)
    if check == "upstream":
        zeros = [g for g in grads[0] if g is not None]
        claims.small += zeros
        claims.small_owners += [owner] * len(zeros)
        if len(grads) >= 4:
            alpha, beta = case.mix
            for g1, g2, g3 in zip(grads[1], grads[2], grads[3]):
                if g1 is not None:
                    claims.linear.append((g1, g2, g3, alpha, beta))
                    claims.linear_owners.append(owner)
    return True


def accepted(props, op, examples, outcomes, tolerance) -> list:
    """[bool per example]: True where `judge` certainly passes it (props[i] is example i's property,
    `tolerance` the oracle's rule). False only means "let the judge read it"."""
    claims, candidates = _Claims(), []
    for index, (prop, example, outcome) in enumerate(zip(props, examples, outcomes)):
        if prop.check in CHECKS and _claim(claims, index, prop, op, example.case, example.expected, outcome,
                                           tolerance):
            candidates.append(index)
    bad = claims.failing()
    verdicts = [False] * len(outcomes)
    for index in candidates:
        verdicts[index] = index not in bad
    return verdicts


def judge_all(props, op, examples, outcomes, oracle) -> list:
    """The judge's verdict on each example: PASS where `accepted`, the judge's own elsewhere."""
    fast = accepted(props, op, examples, outcomes, oracle.tolerance)
    return [PASS if ok else judge(prop, op, example.case, example.expected, outcome, oracle)
            for ok, prop, example, outcome in zip(fast, props, examples, outcomes)]
