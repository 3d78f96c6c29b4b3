"""max: ``np.maximum(a, b)`` elementwise, with broadcasting; grad_out goes to the larger input.

At exact ties a == b any split of grad_out with shares in [0, 1] summing to 1 is right (the
``ties`` family); off ties, however close, all of it goes to the larger input.
"""

import numpy as np

from ..core.cases import Property
from ..core.contract import OpSpec
from ..core.diagnoses.mistakes import Diagnosis, Hypothesis
from . import broadcasting
from ..i18n import N_, _

MAX_GAP = 1e-3  # |a - b| kept at least this far from a tie in the non-tie families
NEAR_TIE = 3e-6  # relative |a - b| of a near tie: within np.isclose's default rtol, yet no tie


def _ties():
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import array_shapes

    from ..core import strategies as s

    @st.composite
    def ties(draw):
        """Same-shape a and b with exact ties at a random subset of positions (at least one), and
        near ties at some others: a and b apart by a relative NEAR_TIE, which ``np.isclose`` calls
        equal but which are no tie (the whole grad_out goes to the larger)."""
        shape = draw(array_shapes(min_dims=1, max_dims=2, max_side=5))
        rng = s.rng(draw)
        a, b = s.normal(rng, shape), s.normal(rng, shape)
        tied = rng.random(shape) < 0.5
        tied.flat[0] = True
        near = ~tied & (rng.random(shape) < 0.5)
        b[tied] = a[tied]
        b[near] = a[near] * (1.0 + NEAR_TIE * rng.choice([-1.0, 1.0], size=int(near.sum())))
        return s.Case((a, b), (s.upstream(rng, shape),), family="ties")
    return ties()


def _candidates(f):
    """{label: full}: the gradient of this input *before* reduction, in the output's shape."""
    x, other, d, _ = broadcasting.operands(f)
    i = f.position
    wins = np.broadcast_to(x >= other if i == 0 else x > other, d.shape)
    loses = np.broadcast_to(other >= x if i == 1 else other > x, d.shape)
    return {"right": d * wins, "mask_swapped": d * loses, "ignored": wins.astype(np.float64),
            "unrouted": d.copy(), "relu_mask": d * np.broadcast_to(x > 0, d.shape)}


# Max's masks are one rule for both inputs: both gradients must fit.
_LABELS = {
    "ignored": (*broadcasting.IGNORED, False),
    "mask_swapped": ("mask_swapped", N_("{name} gets grad_out where {other} wins and 0 where {source} wins: the "
                                       "mask is swapped; max routes grad_out to the input that is larger"), True),
    "unrouted": ("unrouted", N_("{name} gets grad_out everywhere: max routes grad_out only to where {source} is "
                               "the larger input, and 0 elsewhere"), True),
    "relu_mask": ("relu_mask", N_("{name} gets grad_out where {source} > 0, which is ReLU's mask: max compares "
                                 "the two inputs, so {name} gets grad_out where {source} is larger than {other}"), True),
}


def _near_ties_split(f):
    """Max with ties found by np.isclose and split half and half: exact for both gradients."""
    if len(f.inputs) != 2:
        return None
    (a, b), d = f.inputs, f.d
    if not a.shape == b.shape == d.shape:
        return None
    near = np.isclose(a, b) & (a != b)
    if not near.any():
        return None
    wins = (a > b) if f.position == 0 else (b > a)
    return np.where(near, 0.5 * d, np.where(wins, d, 0.0))


def _near_tie_sentence(f):
    a, b = f.inputs
    gap = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-300)
    near = np.isclose(a, b) & (a != b)
    i = np.unravel_index(int(np.argmax(near)), a.shape)
    where = "()" if i == () else str(tuple(int(k) for k in i)).replace(",)", ")")
    return ((_("at index {where} a and b differ by a relative {gap:.1g}: a near tie, yet grad_out was split as "
               "if they were equal (np.isclose?). Only exact equality a == b is a tie; route everything else to "
               "the larger input with an exact comparison, a >= b or a > b")
             .format(where=where, gap=gap[i])))



def tie_diagnosis(f):
    """Max, ties family, wrong at the ties themselves: how grad_out was shared there (facts of the split)."""
    (a, b), d = f.inputs, f.d
    grad_a, grad_b = (f.grads + (None, None))[:2]
    if grad_a is None or grad_b is None or grad_a.shape != d.shape or grad_b.shape != d.shape:
        return Diagnosis()
    tied = (a == b) & (d != 0)
    if not tied.any():
        return Diagnosis()
    if np.allclose(grad_a + grad_b, 1.0, rtol=0, atol=1e-9) and not np.allclose(d, 1.0, rtol=0, atol=1e-9):
        return Diagnosis("ignored_upstream", _("grad_a and grad_b ignore grad_out: they are the 0/1 masks of "
                                               "which input wins; multiply each mask by grad_out"))
    total = (grad_a + grad_b) / np.where(tied, d, 1.0)
    bad = tied & (np.abs(total - 1.0) > 1e-6)
    i = np.unravel_index(int(np.argmax(bad if bad.any() else tied)), d.shape)
    where = "()" if i == () else str(tuple(int(k) for k in i)).replace(",)", ")")
    ratios = total[tied]
    if np.allclose(ratios, 2.0, rtol=0, atol=1e-6):
        return Diagnosis("ties_doubled", (_("at ties (a == b, e.g. index {where}) both a and b received the "
                                            "whole grad_out, which doubles it: route each tie to one input "
                                            "only, e.g. a >= b for grad_a and b > a for grad_b")
                                          .format(where=where)))
    if np.allclose(ratios, 0.0, rtol=0, atol=1e-6):
        return Diagnosis("ties_lost", (_("at ties (a == b, e.g. index {where}) neither a nor b received "
                                         "grad_out, so it is lost: use a >= b for grad_a (and b > a for grad_b) "
                                         "so each tie goes to exactly one input")
                                       .format(where=where)))
    return Diagnosis("ties_not_shared", (_("at ties (a == b, e.g. index {where}) grad_out is not split into "
                                           "shares in [0, 1] that add up to 1: give each tie to one input (a >= "
                                           "b for grad_a, b > a for grad_b) or split it, e.g. half each")
                                         .format(where=where)))


OP = OpSpec(
    key="max", class_name="Max", inputs=("a", "b"),
    doc=N_("np.maximum(a, b) elementwise, with NumPy broadcasting"),
    properties=broadcasting.families("max", gap=MAX_GAP, extra=[
        Property("max", "ties", N_("exact ties a == b: any split of grad_out with shares in [0, 1] summing to "
                                  "1; a != b, however close, is no tie"), _ties, "ties"),
    ]),
    points={"same_shape": 3, "broadcast": 3, "scalar": 2, "ties": 2, "upstream": 2, "no_mutation": 2},
    hypotheses=(Hypothesis("near_ties_split", _near_ties_split, _near_tie_sentence, every_position=True),
                *broadcasting.detectors(_candidates, _LABELS,
                                        (N_("the 0/1 mask of where {source} wins"), N_("multiply the mask by grad_out")))),
    factors=broadcasting.FACTORS,
    ties=tie_diagnosis,
    swapped_inputs=N_("the mask is swapped (grad_a gets grad_out where a > b)"),
    compare_off_ties=True,
)
