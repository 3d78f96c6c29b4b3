"""Judge one graph case: the student's ``.grad`` of every tensor against the exact answer.

Tensors are judged in backward order (the loss first, then the nodes' outputs from last to
first, then the leaves), and the first wrong one is the one reported: every tensor downstream of
it is right, so the mistake was made where it was accumulated (diagnose.py says how).

A correct answer, per tensor, is:

* an integer leaf: ``None`` (no gradient);
* a tensor the loss does not depend on: ``None``, or zeros of its shape;
* any other: a float array of exactly its shape with ``max|g - t| <= 1e-9·max|t| + 1e-12``.
  The answers are exact products of known matrices, so only rounding separates a correct walker
  from them (a different order of additions), orders of magnitude below this bound.
"""

from dataclasses import dataclass

import numpy as np

from ...i18n import _
from ...sandbox.untrusted.calls import Foreign
from .dags import LEARNING_RATE, exact_grads, values

RELATIVE, ABSOLUTE = 1e-9, 1e-12


@dataclass(frozen=True)
class GraphVerdict:
    passed: bool
    kind: str = ""       # error | integer | missing | type | shape | value | sgd | zero_grad
    tensor: int = -1     # the first wrong tensor in backward order
    reason: str = ""     # one line, student text escaped by the renderer


def close(got, want) -> bool:
    return float(np.max(np.abs(got - want), initial=0.0)) <= RELATIVE * float(np.max(np.abs(want), initial=0.0)) + ABSOLUTE


def check_tensor(case, tensor: int, got, want) -> tuple:
    """("", "") if `got` is a right ``.grad`` for `tensor`, else (kind, reason)."""
    name = case.name(tensor)
    if tensor < case.leaves and case.integer[tensor]:
        return ("", "") if got is None else ("integer", _("{name} is an integer (index) tensor: its grad must stay None").format(name=name))
    if isinstance(got, Foreign):
        return "type", _("{name}.grad is a {type_name}, not a float ndarray").format(name=name, type_name=got.type_name)
    shape = np.shape(want) if want is not None else None
    if want is None:
        if got is None or (isinstance(got, np.ndarray) and not np.any(got)):
            return "", ""
        return "value", _("{name} does not affect the loss, but its grad is not zero").format(name=name)
    if got is None:
        return "missing", _("{name}.grad is None, but the loss depends on {name}").format(name=name)
    if got.shape != shape:
        return "shape", _("{name}.grad has shape {got}, expected {shape}").format(name=name, got=got.shape, shape=shape)
    if not np.issubdtype(got.dtype, np.floating) or not np.all(np.isfinite(got)):
        return "type", _("{name}.grad must be finite floats (got dtype {dtype})").format(name=name, dtype=got.dtype)
    if not close(got, want):
        return "value", _("{name}.grad is wrong: max |diff| {diff:.3g}").format(name=name, diff=float(np.max(np.abs(got - want))))
    return "", ""


def backward_order(case) -> list:
    return list(range(case.count - 1, -1, -1))


def judge_grads(case, grads, exact) -> GraphVerdict:
    if len(grads) < case.count:
        return GraphVerdict(False, "error", -1, _("the harness returned too few gradients"))
    for tensor in backward_order(case):
        kind, reason = check_tensor(case, tensor, grads[tensor], exact[tensor])
        if kind:
            return GraphVerdict(False, kind, tensor, reason)
    return GraphVerdict(True)


def judge_case(case, reply) -> GraphVerdict:
    if reply.error:
        return GraphVerdict(False, "error", -1, reply.error)
    exact = exact_grads(case)
    first = judge_grads(case, reply.entries, exact)
    if not first.passed or case.steps < 2:
        return first
    data, _jacobians = values(case)
    floats = [i for i in range(case.leaves) if not case.integer[i]]
    stepped = reply.entries[case.count:case.count + len(floats)]
    for i, got in zip(floats, stepped):
        want = data[i] - LEARNING_RATE * exact[i]
        if not isinstance(got, np.ndarray) or got.shape != want.shape or not close(got, want):
            return GraphVerdict(False, "sgd", i, _("after sgd_step, {name}.data should be data - lr * grad").format(
                name=case.name(i)))
    second = judge_grads(case, reply.entries[case.count + len(floats):], exact)
    if second.passed:
        return second
    return GraphVerdict(False, "zero_grad" if second.kind == "value" else second.kind, second.tensor,
                        _("second step: {reason}").format(reason=second.reason))
