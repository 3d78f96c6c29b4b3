"""Mistakes that carry state: between backward calls, or in the cached inputs themselves.

* a result saved from an earlier call and returned again (memoised);
* a buffer kept on self that adds up over the calls (accumulated);
* a cached input changed in place (e.g. ``self.indices.sort()``), the gradient then computed
  from the changed values; the same for ``grad_out``.

Each predicts the wrong gradient exactly: from the oracle's gradients of the earlier calls, or by
recomputing the right gradient for the inputs as backward left them.
"""

import numpy as np

from .failure import returned_tuple
from .mistakes import Hypothesis
from ...i18n import _


def _earlier(f):
    """The right gradients at this position of the calls before the failing one."""
    calls = [f.expected_call(j) for j in range(f.call)]
    return [c[f.position] for c in calls if c is not None and f.position < len(c) and c[f.position] is not None]


def _memoised(f):
    earlier = [g for g in _earlier(f) if f.expected is None or not f.close(g, f.expected)]
    return next((g for g in earlier if f.got is not None and f.close(f.got, g)), None)


def _accumulated(f):
    earlier = _earlier(f)
    if len(earlier) != f.call or f.expected is None:
        return None
    return np.sum(earlier, axis=0) + f.expected


def _changed(before, after):
    return [b is not None and a is not None and not np.array_equal(np.asarray(b), np.asarray(a), equal_nan=True)
            for b, a in zip(before, after)]


def _changed_inputs(f):
    outcome = f.failing.outcome
    after = getattr(outcome, "inputs_after", ()) or ()
    if len(after) != len(f.inputs) or not any(_changed(f.inputs, after)):
        return None
    return f.recompute(inputs=after)


def _changed_grad_out(f):
    outcome = f.failing.outcome
    after = getattr(outcome, "grad_outs_after", ()) or ()
    if len(after) != len(f.case.grad_outs) or not _changed(f.case.grad_outs, after)[f.call]:
        return None
    return f.recompute(grad_outs=after)


def _which_input(f):
    after = f.failing.outcome.inputs_after
    return [name for name, changed in zip(f.op.inputs, _changed(f.inputs, after)) if changed][0]


HYPOTHESES = (
    Hypothesis("memoised_result", _memoised, lambda f: (
        _("{name} is the right gradient of an earlier backward call (call {call} returned what an earlier call "
          "with another grad_out should get): backward returns a result saved from before; compute it from "
          "this call's grad_out every time").format(name=f.name, call=f.call + 1))),
    Hypothesis("accumulates_across_calls", _accumulated, lambda f: (
        (_("{name} on backward call {call} is the sum of the right gradients of calls 1 to {call}: a buffer "
           "kept on self keeps adding up across calls; start from fresh zeros in every call")
         .format(name=f.name, call=f.call + 1)))),
    Hypothesis("mutates_input", _changed_inputs, lambda f: (
        _("backward changed its input {which_input} in place (e.g. a sort, or self.{which_input} *= ...) and "
          "{name} is the right gradient for the changed values: leave the cached inputs as they are and work "
          "on copies").format(which_input=_which_input(f), name=f.name))),
    Hypothesis("mutates_grad_out", _changed_grad_out, lambda f: (
        (_("backward changed grad_out in place and {name} is the right gradient for the changed grad_out: never "
           "write into grad_out or a view of it; build new arrays, return {returned_tuple}")
         .format(name=f.name, returned_tuple=returned_tuple(f.op))))),
)
