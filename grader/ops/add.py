"""add: ``a + b`` elementwise, with NumPy broadcasting; the gate passes grad_out on."""

import numpy as np

from ..core.contract import OpSpec
from . import broadcasting
from ..i18n import N_


def _candidates(f):
    """{label: full}: the gradient of this input *before* reduction, in the output's shape."""
    _, _, d, mutated = broadcasting.operands(f)
    found = {"right": d, "ignored": np.ones_like(d), "ones": None}
    if mutated is not None:
        found["mutated"] = mutated
    return found


_LABELS = {
    "ignored": (*broadcasting.IGNORED, False),
    "ones": ("ignored_upstream", N_("{name} ignores grad_out: it is all ones (the local derivative of a + b) "
                                   "instead of grad_out, summed over the axes where {source} was broadcast"), False),
    "mutated": (*broadcasting.MUTATED, False),
}

OP = OpSpec(
    key="add", class_name="Add", inputs=("a", "b"),
    doc=N_("a + b elementwise, with NumPy broadcasting"),
    properties=broadcasting.families("add"),
    points={"same_shape": 3, "broadcast": 3, "scalar": 2, "upstream": 2, "no_mutation": 2},
    hypotheses=broadcasting.detectors(_candidates, _LABELS,
                                      (N_("1 per broadcast copy"), N_("the add gate passes grad_out itself on"))),
    factors=broadcasting.FACTORS,
)
