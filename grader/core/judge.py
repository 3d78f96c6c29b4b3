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
from enum import StrEnum

import numpy as np

from .contract import OpSpec
from .oracles import maxabs
from .worker_text import localized
from ..i18n import _, ngettext
from ..sandbox.untrusted.calls import Foreign

REPEATED_CALL = 4     # upstream's fifth call repeats its second (cases.py)
FORWARD_RTOL = 1e-9   # the given forward is deterministic; an equivalent rewrite is within ulps
SELF_RTOL = 1e-6      # the student's results against each other (linearity, a second call)


class Kind(StrEnum):
    """What a failed check found, in the judge's order. Reports and statistics show the value."""

    ERROR = "error"                      # the student's code raised (or the runner gave no answer)
    NOT_IMPLEMENTED = "not_implemented"  # it raised NotImplementedError: the stub is still there
    FORWARD = "forward"                  # forward's output is not the given one
    TYPE = "type"                        # backward returned no tuple/list, or an entry is None or no array
    ARITY = "arity"                      # as many values as inputs
    INTEGER_GRAD = "integer_grad"        # an integer input's entry is not None
    DTYPE = "dtype"                      # a gradient is not floating point
    SHAPE = "shape"                      # a gradient is not shaped like its input
    NONFINITE = "nonfinite"              # a gradient holds NaN or inf
    MUTATION = "mutation"                # backward changed an input or grad_out in place
    STATEFUL = "stateful"                # a second call with the same grad_out differs from the first
    ZERO_UPSTREAM = "zero_upstream"      # grad_out = 0 does not give zeros
    LINEARITY = "linearity"              # not linear in grad_out
    TIES = "ties"                        # max at a tie: shares not in [0, 1] or not adding up to grad_out
    VALUES = "values"                    # a gradient's numbers differ from the oracle's


@dataclass
class Verdict:
    """The judge's finding. `reason` is the sentence students read; every fact in it that a
    diagnosis needs is also a field, so nothing downstream reads the sentence back."""

    passed: bool
    reason: str = ""
    kind: Kind = None         # None when passed
    call: int = 0             # which backward call (index into case.grad_outs)
    position: int = -1        # which returned gradient (for a mutation: which input), -1: none
    got: object = None        # the student's array, for feedback and diagnosis
    expected: object = None   # the oracle's array
    tolerance: float = 0.0
    grads: tuple = ()         # every gradient the student returned in the failing call
    expected_grads: tuple = ()  # the oracle's, same call (for diagnoses: wrong order, swapped, ...)
    returned: str = ""        # TYPE: the type name of what came back (the container, or the entry at `position`)
    mutated: str = ""         # MUTATION: what backward changed, "grad_out" or the input's name
    error: str = ""           # ERROR, NOT_IMPLEMENTED, a raising second call: the runner's line for the exception


PASS = Verdict(True)


def _index(flat_index, shape):
    return tuple(int(i) for i in np.unravel_index(flat_index, shape)) if shape else ()


def _worst(got, expected):
    diff = np.abs(np.asarray(got, dtype=np.float64) - expected)
    flat = int(np.argmax(diff)) if diff.size else 0
    return float(diff.max(initial=0.0)), _index(flat, np.shape(expected))


def _fmt_index(index):
    return "()" if index == () else str(index).replace(",)", ")")


def _check_output(op, output, expected_values):
    expected = expected_values.output
    if isinstance(output, Foreign):
        return Verdict(False, (_("{class_name}.forward returned a {type_name}; do not change forward")
                               .format(class_name=op.class_name, type_name=output.type_name)),
                       Kind.FORWARD)
    if output.dtype.kind not in "fiu":
        return Verdict(False, (_("{class_name}.forward returned an array of dtype {dtype}; do not change forward")
                               .format(class_name=op.class_name, dtype=output.dtype)), Kind.FORWARD)
    if output.shape != expected.shape or not np.isfinite(output).all() or \
            maxabs(output - expected) > FORWARD_RTOL * expected_values.output_scale:
        return Verdict(False, (_("{class_name}.forward gives a different output than the given one; forward is "
                                 "given and must stay as it is")
                               .format(class_name=op.class_name)), Kind.FORWARD, got=output, expected=expected)
    return PASS


def _check_returned(op: OpSpec, returned, case, call: int):
    """The structure of one backward value. Returns (Verdict, [ndarray | None per input])."""
    if returned.container not in ("tuple", "list"):
        return Verdict(False, (_("backward returned a {container}; return a tuple ({returns_text})")
                               .format(container=returned.container, returns_text=op.returns_text())),
                       Kind.TYPE, call, returned=returned.container), None
    entries = returned.entries
    if len(entries) != len(op.inputs):
        return Verdict(False, (ngettext("backward returned {count} value; expected {n_inputs}: ({returns_text})",
                                        "backward returned {count} values; expected {n_inputs}: ({returns_text})",
                                        len(entries))
                               .format(count=len(entries), n_inputs=len(op.inputs), returns_text=op.returns_text())), Kind.ARITY, call), None
    for position, entry in enumerate(entries):
        if type(entry) is np.ndarray and entry.dtype == np.float64 and op.is_float_input(position) \
                and entry.shape == np.shape(case.inputs[position]) and np.isfinite(entry).all():
            continue  # the usual answer, checked in one go; anything else gets its reason below
        name, source = op.grad_name(position), op.inputs[position]
        if not op.is_float_input(position):
            if entry is not None:
                return Verdict(False, (_("the gradient for {source} must be None ({source} are integers)")
                                       .format(source=source)),
                               Kind.INTEGER_GRAD, call, position), None
            continue
        shape = np.shape(case.inputs[position])
        if entry is None:
            return Verdict(False, (_("{name} is None; it must be a float array of shape {shape}")
                                   .format(name=name, shape=shape)),
                           Kind.TYPE, call, position, returned="NoneType"), None
        if isinstance(entry, Foreign):
            return Verdict(False, (_("{name} is a {type_name}; it must be a float64 ndarray of shape {shape}")
                                   .format(name=name, type_name=entry.type_name, shape=shape)),
                           Kind.TYPE, call, position, returned=entry.type_name), None
        if entry.dtype.kind != "f":
            return Verdict(False, (_("{name} has dtype {dtype}; it must be float64")
                                   .format(name=name, dtype=entry.dtype)), Kind.DTYPE,
                           call, position), None
        if entry.shape != shape:
            return Verdict(False, (_("{name} has shape {shape}, expected {shape2} (the shape of {source})")
                                   .format(name=name, shape=entry.shape, shape2=shape, source=source)),
                           Kind.SHAPE, call, position, got=entry), None
        if not np.isfinite(entry).all():
            bad = _index(int(np.argmax(~np.isfinite(entry))), shape)
            return Verdict(False, (_("{name} contains {value} at index {fmt_index} (overflow? compute it in a "
                                     "numerically stable way)")
                                   .format(name=name, value=entry[bad] if bad else entry[()], fmt_index=_fmt_index(bad))), Kind.NONFINITE,
                           call, position, got=entry), None
    return PASS, list(entries)


def _compare(op, got, expected, tolerance, kind, call, position, what=""):
    # The worst element's index is looked for only once the example has failed.
    error = float(np.abs(np.asarray(got, dtype=np.float64) - expected).max(initial=0.0))
    if error <= tolerance:
        return PASS
    error, where = _worst(got, expected)
    reason = ((_("{grad_name}{what} is wrong: max |got - expected| = {error:.3g} at index {fmt_index} "
                 "(tolerance {tolerance:.2g})")
               .format(grad_name=op.grad_name(position), what=what, error=error, fmt_index=_fmt_index(where), tolerance=tolerance)))
    return Verdict(False, reason, kind, call, position, got=got, expected=expected, tolerance=tolerance)


def check_unchanged(op, case, outcome):
    # The sandbox hands back the very arrays it sent when nothing changed: those need no comparing.
    for position, (before, after) in enumerate(zip(case.inputs, outcome.inputs_after)):
        if before is not after and not np.array_equal(before, after, equal_nan=True):
            return Verdict(False, (_("backward modified its input {inputs} in place; compute new arrays instead")
                                   .format(inputs=op.inputs[position])), Kind.MUTATION, position=position,
                           mutated=op.inputs[position])
    for call, (before, after) in enumerate(zip(case.grad_outs, outcome.grad_outs_after)):
        if before is not after and not np.array_equal(before, after, equal_nan=True):
            return Verdict(False, _("backward modified grad_out in place (e.g. grad_out *= ...); use grad_out "
                                    "* ... instead"), Kind.MUTATION, call, mutated="grad_out")
    return PASS


def _shown(entry) -> str:
    if entry is None:
        return "None"
    if isinstance(entry, Foreign):
        return _("a {type_name}").format(type_name=entry.type_name)
    return _("an array of dtype {dtype} and shape {shape}").format(dtype=entry.dtype, shape=entry.shape)


def _shown_returned(returned) -> str:
    # A tuple and a list are both fine, so they read the same: only what is in them counts.
    if returned.container in ("tuple", "list"):
        count = len(returned.entries)
        return ngettext("{count} value", "{count} values", count).format(count=count)
    return _("a {container}").format(container=returned.container)


def _check_repeatable(op, first, second):
    """The second call (same grad_out, same forward) returned what the first did: as many values,
    each of the same kind and shape, numbers within SELF_RTOL (NaN and inf where the first had them)."""
    # The cheap structural test first: the texts (translated, formatted) only where it fails.
    same_count = first.container in ("tuple", "list") and second.container in ("tuple", "list") and \
        len(first.entries) == len(second.entries)
    if not same_count and _shown_returned(first) != _shown_returned(second):
        return Verdict(False, (_("a second backward call with the same grad_out returned {shown_returned}, the "
                                 "first {shown_returned2} (state kept between calls?)")
                               .format(shown_returned=_shown_returned(second), shown_returned2=_shown_returned(first))), Kind.STATEFUL, 1)
    again = _(" from a second backward call with the same grad_out (state kept between calls?)")
    for position, (a, b) in enumerate(zip(first.entries, second.entries)):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape) \
                and _shown(a) != _shown(b):
            return Verdict(False, (_("{grad_name}{again} is {shown}; the first call returned {shown2}")
                                   .format(grad_name=op.grad_name(position), again=again, shown=_shown(b), shown2=_shown(a))), Kind.STATEFUL, 1, position)
        if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
            continue  # nothing numeric to compare: judged (and refused) on the base family
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)   # no copy of a float64 answer
        if np.isfinite(a).all() and np.isfinite(b).all():   # the usual answer: what follows, in one go
            verdict = _compare(op, b, a, SELF_RTOL * maxabs(a) + 1e-10, Kind.STATEFUL, 1, position, again)
            if not verdict.passed:
                return verdict
            continue
        finite = np.isfinite(a)
        if not np.array_equal(finite, np.isfinite(b)) or not np.array_equal(a[~finite], b[~finite], equal_nan=True):
            return Verdict(False, (_("{grad_name}{again} has NaN or inf where the first call's was finite, or "
                                     "the other way round")
                                   .format(grad_name=op.grad_name(position), again=again)), Kind.STATEFUL, 1, position, got=b, expected=a)
        tolerance = SELF_RTOL * maxabs(a[finite]) + 1e-10
        verdict = _compare(op, np.where(finite, b, 0.0), np.where(finite, a, 0.0), tolerance, Kind.STATEFUL, 1,
                           position, again)
        if not verdict.passed:
            return verdict
    return PASS


def _check_upstream(op, case, grads):
    """grad_out = 0 gives zeros; then, if the later calls are there, linearity."""
    for position, zero_grad in enumerate(grads[0]):
        if zero_grad is not None and maxabs(zero_grad) > 1e-10:
            error, where = _worst(zero_grad, 0.0 * zero_grad)
            return Verdict(False, (_("with grad_out = 0, {grad_name} is {error:.3g} at index {fmt_index}; it "
                                     "must be 0 (multiply by grad_out)")
                                   .format(grad_name=op.grad_name(position), error=error, fmt_index=_fmt_index(where))),
                           Kind.ZERO_UPSTREAM, 0, position, got=zero_grad, expected=np.zeros_like(zero_grad))
    if len(grads) < 4:
        return PASS
    alpha, beta = case.mix
    for position, (g1, g2, g3) in enumerate(zip(grads[1], grads[2], grads[3])):
        if g1 is None:
            continue
        combined = alpha * g1 + beta * g2
        tolerance = SELF_RTOL * maxabs(combined) + 1e-10
        verdict = _compare(op, g3, combined, tolerance, Kind.LINEARITY, 3, position,
                           _(" for grad_out = α·d1 + β·d2 (not α·grad(d1) + β·grad(d2): not linear in grad_out)"))
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
        verdict = _compare(op, np.where(tied, 0.0, got), np.where(wins, d, 0.0), tolerance, Kind.VALUES, 0, position,
                           _(" away from the ties"))
        if not verdict.passed:
            return verdict
    total = grad_a + grad_b
    share = np.divide(grad_a, d, out=np.full(d.shape, 0.5), where=d != 0)
    bad = tied & ((np.abs(total - d) > tolerance) | (share < -1e-9) | (share > 1 + 1e-9))
    if bad.any():
        where = _index(int(np.argmax(bad)), d.shape)
        ratio = float(total[where] / d[where]) if d[where] else float("nan")
        how = (_("given in full to both a and b") if abs(ratio - 2) < 1e-6 else
               _("given to neither a nor b") if abs(ratio) < 1e-6 else
               (_("split into shares {float:.3g} and {float2:.3g}")
                .format(float=float(share[where]), float2=float(grad_b[where] / d[where]))))
        return Verdict(False, (_("at a tie a == b (index {fmt_index}) grad_out was {how}; the shares must be in "
                                 "[0, 1] and add up to 1")
                               .format(fmt_index=_fmt_index(where), how=how)), Kind.TIES, 0, 0, got=grad_a, expected=d,
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
        return Verdict(False, (_("backward was called {n_grad_outs} times but {n_returns} answers came back")
                               .format(n_grad_outs=len(case.grad_outs), n_returns=len(outcome.returns))), Kind.ERROR)
    if prop.check == "no_mutation" and case.family != op.base_family:
        return _judge_state_only(op, case, outcome)
    if outcome.error and not (prop.check == "no_mutation" and len(outcome.returns) == 1):
        return _error_verdict(outcome.error)
    verdict = _check_output(op, outcome.output, expected)
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
                verdict.kind = Kind.STATEFUL
                verdict.reason = ((_("on a second backward call with the same grad_out, {reason} (the first "
                                     "call was fine: state kept between calls?)")
                                   .format(reason=verdict.reason)))
            return verdict
        grads.append(entries)
    if outcome.error:  # no_mutation: the first call was fine, the second raised
        return _second_call_raised(outcome.error)

    if prop.check == "no_mutation":
        verdict = check_unchanged(op, case, outcome)
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
            verdict = _compare(op, got, want, expected.tolerance_of(call, position, oracle.tolerance), Kind.VALUES,
                               call, position)
            if not verdict.passed:
                return verdict
    return PASS


def _error_verdict(error: str) -> Verdict:
    where, raised, _rest = error.partition(" raised NotImplementedError")
    if raised:
        return Verdict(False, _("{where} is not implemented yet").format(where=where), Kind.NOT_IMPLEMENTED, error=error)
    return Verdict(False, localized(error), Kind.ERROR, error=error)


def _second_call_raised(error: str) -> Verdict:
    return Verdict(False, _("on a second backward call with the same grad_out, {error} (the first call "
                            "returned: state kept between calls?)").format(error=localized(error)), Kind.STATEFUL, 1,
                   error=error)


def _judge_state_only(op, case, outcome) -> Verdict:
    """no_mutation on an example of a harder family: mutation and repeatability, nothing else."""
    verdict = check_unchanged(op, case, outcome)
    if not verdict.passed or not outcome.returns:
        return verdict  # (if forward or the first call raised, that family's property reports it)
    if outcome.error:
        return _second_call_raised(outcome.error)
    return _check_repeatable(op, *outcome.returns[:2])
