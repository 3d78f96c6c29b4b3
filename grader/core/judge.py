"""The judge: is one outcome right for one example? Returns a `Verdict` with one-line reason.

In order, and stopping at the first problem (so the reason names the first thing to fix):
the student's code raised; forward's output changed; the shape of what backward returned
(container, arity, ``None`` for integer inputs, float ndarray, exact shape, finite); the
property's own reference-free checks (mutation and repeatability, zero upstream and linearity,
the tie rule); finally every gradient against the oracle's, within the oracle's tolerance.

``no_mutation`` draws examples from every family of its op but judges each property only for
what it is named for. On an example of another family than the op's base family (cases.py) it
judges only that the inputs and ``grad_out`` are unchanged and that the second call returned
the same as the first, whatever that was (an exception, a wrong shape, NaN, wrong values): a
mistake of the first call there belongs to that family's property, which reports it.
``upstream`` likewise leaves state to ``no_mutation``: when its repeated call (the fifth, same
grad_out as the second) disagrees with the second, it judges only the first call.
"""

from dataclasses import dataclass

import numpy as np

from .contract import OpSpec
from .oracles import maxabs
from ..sandbox.untrusted.calls import Foreign

REPEATED_CALL = 4     # upstream's fifth call repeats its second (cases.py)
FORWARD_RTOL = 1e-9   # the given forward is deterministic; an equivalent rewrite is within ulps
SELF_RTOL = 1e-6      # the student's results against each other (linearity, a second call)


@dataclass
class Verdict:
    passed: bool
    reason: str = ""
    kind: str = ""            # error, forward, type, arity, integer_grad, dtype, shape, nonfinite,
    #                           mutation, stateful, zero_upstream, linearity, ties, values
    call: int = 0             # which backward call (index into case.grad_outs)
    position: int = -1        # which returned gradient
    got: object = None        # the student's array, for feedback and diagnosis
    expected: object = None   # the oracle's array
    tolerance: float = 0.0
    grads: tuple = ()         # every gradient the student returned in the failing call
    expected_grads: tuple = ()  # the oracle's, same call (for diagnoses: wrong order, swapped, ...)


PASS = Verdict(True)


def _index(flat_index, shape):
    return tuple(int(i) for i in np.unravel_index(flat_index, shape)) if shape else ()


def _worst(got, expected):
    diff = np.abs(np.asarray(got, dtype=np.float64) - expected)
    flat = int(np.argmax(diff)) if diff.size else 0
    return float(diff.max(initial=0.0)), _index(flat, np.shape(expected))


def _fmt_index(index):
    return "()" if index == () else str(index).replace(",)", ")")


def _check_output(op, output, expected):
    if isinstance(output, Foreign):
        return Verdict(False, f"{op.class_name}.forward returned a {output.type_name}; do not change forward",
                       "forward")
    if output.dtype.kind not in "fiu":
        return Verdict(False, f"{op.class_name}.forward returned an array of dtype {output.dtype}; "
                       "do not change forward", "forward")
    if output.shape != expected.shape or not np.isfinite(output).all() or \
            maxabs(output - expected) > FORWARD_RTOL * max(1.0, maxabs(expected)):
        return Verdict(False, f"{op.class_name}.forward gives a different output than the given one; "
                       "forward is given and must stay as it is", "forward", got=output, expected=expected)
    return PASS


def _check_returned(op: OpSpec, returned, case, call: int):
    """The structure of one backward value. Returns (Verdict, [ndarray | None per input])."""
    if returned.container not in ("tuple", "list"):
        return Verdict(False, f"backward returned a {returned.container}; return a tuple ({op.returns_text()})",
                       "type", call), None
    entries = returned.entries
    if len(entries) != len(op.inputs):
        return Verdict(False, f"backward returned {len(entries)} value{'s' * (len(entries) != 1)}; "
                       f"expected {len(op.inputs)}: ({op.returns_text()})", "arity", call), None
    for position, entry in enumerate(entries):
        if type(entry) is np.ndarray and entry.dtype == np.float64 and op.is_float_input(position) \
                and entry.shape == np.shape(case.inputs[position]) and np.isfinite(entry).all():
            continue  # the usual answer, checked in one go; anything else gets its reason below
        name, source = op.grad_name(position), op.inputs[position]
        if not op.is_float_input(position):
            if entry is not None:
                return Verdict(False, f"the gradient for {source} must be None ({source} are integers)",
                               "integer_grad", call, position), None
            continue
        shape = np.shape(case.inputs[position])
        if entry is None:
            return Verdict(False, f"{name} is None; it must be a float array of shape {shape}",
                           "type", call, position), None
        if isinstance(entry, Foreign):
            return Verdict(False, f"{name} is a {entry.type_name}; it must be a float64 ndarray of shape {shape}",
                           "type", call, position), None
        if entry.dtype.kind != "f":
            return Verdict(False, f"{name} has dtype {entry.dtype}; it must be float64", "dtype",
                           call, position), None
        if entry.shape != shape:
            return Verdict(False, f"{name} has shape {entry.shape}, expected {shape} (the shape of {source})",
                           "shape", call, position, got=entry), None
        if not np.isfinite(entry).all():
            bad = _index(int(np.argmax(~np.isfinite(entry))), shape)
            return Verdict(False, f"{name} contains {entry[bad] if bad else entry[()]} at index {_fmt_index(bad)}"
                           " (overflow? compute it in a numerically stable way)", "nonfinite",
                           call, position, got=entry), None
    return PASS, list(entries)


def _compare(op, got, expected, tolerance, kind, call, position, what=""):
    # The worst element's index is looked for only once the example has failed.
    error = float(np.abs(np.asarray(got, dtype=np.float64) - expected).max(initial=0.0))
    if error <= tolerance:
        return PASS
    error, where = _worst(got, expected)
    reason = (f"{op.grad_name(position)}{what} is wrong: max |got - expected| = {error:.3g} at index "
              f"{_fmt_index(where)} (tolerance {tolerance:.2g})")
    return Verdict(False, reason, kind, call, position, got=got, expected=expected, tolerance=tolerance)


def _check_unchanged(op, case, outcome):
    for position, (before, after) in enumerate(zip(case.inputs, outcome.inputs_after)):
        if not np.array_equal(before, after, equal_nan=True):
            return Verdict(False, f"backward modified its input {op.inputs[position]} in place; "
                           "compute new arrays instead", "mutation", position=position)
    for call, (before, after) in enumerate(zip(case.grad_outs, outcome.grad_outs_after)):
        if not np.array_equal(before, after, equal_nan=True):
            return Verdict(False, "backward modified grad_out in place (e.g. grad_out *= ...); "
                           "use grad_out * ... instead", "mutation", call)
    return PASS


def _shown(entry) -> str:
    if entry is None:
        return "None"
    if isinstance(entry, Foreign):
        return f"a {entry.type_name}"
    return f"an array of dtype {entry.dtype} and shape {entry.shape}"


def _shown_returned(returned) -> str:
    # A tuple and a list are both fine, so they read the same: only what is in them counts.
    if returned.container in ("tuple", "list"):
        return f"{len(returned.entries)} value{'s' * (len(returned.entries) != 1)}"
    return f"a {returned.container}"


def _check_repeatable(op, first, second):
    """The second call (same grad_out, same forward) returned what the first did: as many values,
    each of the same kind and shape, numbers within SELF_RTOL (NaN and inf where the first had them)."""
    if _shown_returned(first) != _shown_returned(second):
        return Verdict(False, f"a second backward call with the same grad_out returned {_shown_returned(second)}, "
                       f"the first {_shown_returned(first)} (state kept between calls?)", "stateful", 1)
    again = " from a second backward call with the same grad_out (state kept between calls?)"
    for position, (a, b) in enumerate(zip(first.entries, second.entries)):
        if _shown(a) != _shown(b) and not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                                           and a.shape == b.shape):
            return Verdict(False, f"{op.grad_name(position)}{again} is {_shown(b)}; the first call returned "
                           f"{_shown(a)}", "stateful", 1, position)
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
            continue  # nothing numeric to compare: judged (and refused) on the base family
        a, b = a.astype(np.float64), b.astype(np.float64)
        finite = np.isfinite(a)
        if not np.array_equal(finite, np.isfinite(b)) or not np.array_equal(a[~finite], b[~finite], equal_nan=True):
            return Verdict(False, f"{op.grad_name(position)}{again} has NaN or inf where the first call's was "
                           "finite, or the other way round", "stateful", 1, position, got=b, expected=a)
        tolerance = SELF_RTOL * maxabs(a[finite]) + 1e-10
        verdict = _compare(op, np.where(finite, b, 0.0), np.where(finite, a, 0.0), tolerance, "stateful", 1,
                           position, again)
        if not verdict.passed:
            return verdict
    return PASS


def _check_upstream(op, case, grads):
    """grad_out = 0 gives zeros; then, if the later calls are there, linearity."""
    for position, zero_grad in enumerate(grads[0]):
        if zero_grad is not None and maxabs(zero_grad) > 1e-10:
            error, where = _worst(zero_grad, 0.0 * zero_grad)
            return Verdict(False, f"with grad_out = 0, {op.grad_name(position)} is {error:.3g} at index "
                           f"{_fmt_index(where)}; it must be 0 (multiply by grad_out)",
                           "zero_upstream", 0, position, got=zero_grad, expected=np.zeros_like(zero_grad))
    if len(grads) < 4:
        return PASS
    alpha, beta = case.mix
    for position, (g1, g2, g3) in enumerate(zip(grads[1], grads[2], grads[3])):
        if g1 is None:
            continue
        combined = alpha * g1 + beta * g2
        tolerance = SELF_RTOL * maxabs(combined) + 1e-10
        verdict = _compare(op, g3, combined, tolerance, "linearity", 3, position,
                           " for grad_out = α·d1 + β·d2 (not α·grad(d1) + β·grad(d2): not linear in grad_out)")
        if not verdict.passed:
            return verdict
    return PASS


def _check_ties(op, case, grads):
    """Two inputs at exact ties: off ties route to the winner; at ties, shares in [0, 1] that sum to 1."""
    (a, b), d = case.inputs, case.grad_outs[0]
    grad_a, grad_b = grads[0]
    tolerance = SELF_RTOL * maxabs(d) + 1e-10
    tied = a == b
    for position, (got, wins) in enumerate(((grad_a, a > b), (grad_b, b > a))):
        verdict = _compare(op, np.where(tied, 0.0, got), np.where(wins, d, 0.0), tolerance, "values", 0, position,
                           " away from the ties")
        if not verdict.passed:
            return verdict
    total = grad_a + grad_b
    share = np.divide(grad_a, d, out=np.full(d.shape, 0.5), where=d != 0)
    bad = tied & ((np.abs(total - d) > tolerance) | (share < -1e-9) | (share > 1 + 1e-9))
    if bad.any():
        where = _index(int(np.argmax(bad)), d.shape)
        ratio = float(total[where] / d[where]) if d[where] else float("nan")
        how = ("given in full to both a and b" if abs(ratio - 2) < 1e-6 else
               "given to neither a nor b" if abs(ratio) < 1e-6 else
               f"split into shares {float(share[where]):.3g} and {float(grad_b[where] / d[where]):.3g}")
        return Verdict(False, f"at a tie a == b (index {_fmt_index(where)}) grad_out was {how}; "
                       "the shares must be in [0, 1] and add up to 1", "ties", 0, 0, got=grad_a, expected=d,
                       tolerance=tolerance)
    return PASS


def judge(prop, op: OpSpec, case, expected, outcome, oracle) -> Verdict:
    verdict = _judge(prop, op, case, expected, outcome, oracle)
    if not verdict.passed and outcome.returns and verdict.call < len(outcome.returns):
        entries = outcome.returns[verdict.call].entries
        verdict.grads = tuple(e if isinstance(e, np.ndarray) else None for e in entries)
        verdict.expected_grads = expected.grads[verdict.call] if verdict.call < len(expected.grads) else ()
    return verdict


def _judge(prop, op: OpSpec, case, expected, outcome, oracle) -> Verdict:
    if not outcome.error and len(outcome.returns) != len(case.grad_outs):
        # Only a forged or broken reply answers fewer calls without saying why: never a vacuous pass.
        return Verdict(False, f"backward was called {len(case.grad_outs)} times but {len(outcome.returns)} "
                       "answers came back", "error")
    if prop.check == "no_mutation" and case.family != op.base_family:
        return _judge_state_only(op, case, outcome)
    if outcome.error and not (prop.check == "no_mutation" and len(outcome.returns) == 1):
        return _error_verdict(outcome.error)
    verdict = _check_output(op, outcome.output, expected.output)
    if not verdict.passed:
        return verdict
    returns = outcome.returns
    if prop.check == "upstream" and len(returns) > REPEATED_CALL and \
            not _check_repeatable(op, returns[1], returns[REPEATED_CALL]).passed:
        returns = returns[:1]  # state kept between calls (no_mutation's): judge the fresh first call only
    grads = []
    for call, returned in enumerate(returns):
        verdict, entries = _check_returned(op, returned, case, call)
        if not verdict.passed:
            if call and prop.check == "no_mutation":
                # The first call was well formed with the same grad_out: the second went wrong
                # because of something the first one changed.
                verdict.kind = "stateful"
                verdict.reason = (f"on a second backward call with the same grad_out, {verdict.reason} "
                                  "(the first call was fine: state kept between calls?)")
            return verdict
        grads.append(entries)
    if outcome.error:  # no_mutation: the first call was fine, the second raised
        return _second_call_raised(outcome.error)

    if prop.check == "no_mutation":
        verdict = _check_unchanged(op, case, outcome)
        verdict = verdict if not verdict.passed else _check_repeatable(op, *outcome.returns)
    elif prop.check == "upstream":
        verdict = _check_upstream(op, case, grads)
    elif prop.check == "ties":
        return _check_ties(op, case, grads)
    if not verdict.passed:
        return verdict

    for call, (got_call, expected_call) in enumerate(zip(grads, expected.grads)):
        for position, (got, want) in enumerate(zip(got_call, expected_call)):
            if want is None:
                continue
            verdict = _compare(op, got, want, oracle.tolerance(want), "values", call, position)
            if not verdict.passed:
                return verdict
    return PASS


def _error_verdict(error: str) -> Verdict:
    where, raised, _ = error.partition(" raised NotImplementedError")
    if raised:
        return Verdict(False, f"{where} is not implemented yet", "not_implemented")
    return Verdict(False, error, "error")


def _second_call_raised(error: str) -> Verdict:
    return Verdict(False, f"on a second backward call with the same grad_out, {error} (the first call returned: "
                   "state kept between calls?)", "stateful", 1)


def _judge_state_only(op, case, outcome) -> Verdict:
    """no_mutation on an example of a harder family: mutation and repeatability, nothing else."""
    verdict = _check_unchanged(op, case, outcome)
    if not verdict.passed or not outcome.returns:
        return verdict  # (if forward or the first call raised, that family's property reports it)
    if outcome.error:
        return _second_call_raised(outcome.error)
    return _check_repeatable(op, *outcome.returns[:2])
