"""mul: ``a * b`` elementwise, with NumPy broadcasting; the gate swaps its inputs."""

from ..core.contract import OpSpec
from . import broadcasting
from ..i18n import N_


def _candidates(f):
    """{label: full}: the gradient of this input *before* reduction, in the output's shape."""
    x, other, d, mutated = broadcasting.operands(f)
    found = {"right": d * other, "swapped": d * x, "ignored": other + 0 * d, "squared": d * x * other}
    if mutated is not None:
        found["mutated"] = mutated * other
    return found


_LABELS = {
    "swapped": ("swapped_operands", N_("{name} matches grad_out * {source}: the operands are swapped; the mul "
                                      "gate swaps them, so {name} = grad_out * {other}"), False),
    "ignored": (*broadcasting.IGNORED, False),
    "squared": ("squared_local_derivative", N_("{name} matches grad_out * a * b: the local derivative of a * b "
                                              "with respect to {source} is {other} alone"), False),
    "mutated": (*broadcasting.MUTATED, False),
}

OP = OpSpec(
    key="mul", class_name="Mul", inputs=("a", "b"),
    doc=N_("a * b elementwise, with NumPy broadcasting"),
    properties=broadcasting.families("mul"),
    points={"same_shape": 3, "broadcast": 3, "scalar": 2, "upstream": 2, "no_mutation": 2},
    hypotheses=broadcasting.detectors(_candidates, _LABELS,
                                      (N_("the local derivative {other} alone"), N_("multiply it by grad_out"))),
    factors=broadcasting.FACTORS,
    swapped_inputs=N_("the operands are swapped (the mul gate swaps: grad_a = grad_out * b)"),
)
