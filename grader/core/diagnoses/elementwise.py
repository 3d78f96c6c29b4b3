"""mul, add and max: broadcasting, swapped operands, an ignored grad_out, max's mask and ties.

Each mistake is a candidate gradient *before* reduction, in the output's shape (``grad_out * x``
for swapped operands, the bare mask for an ignored ``grad_out``, ...), reduced over some set of
axes. A hypothesis fits when one reduction of its candidate equals what the student returned;
which axes were summed says whether the reduction itself was right, too.
"""

import itertools

import numpy as np

from .factors import named
from .failure import axes_text, shape_text
from .mistakes import Diagnosis, Hypothesis


def broadcast_axes(out_shape, shape):
    """The axes of the output that NumPy stretched to broadcast `shape` up to `out_shape`."""
    lead = len(out_shape) - len(shape)
    stretched = tuple(lead + k for k, size in enumerate(shape) if size == 1 and out_shape[lead + k] != 1)
    return tuple(range(lead)) + stretched, stretched


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


def _candidates(f):
    """{label: full}: the gradient of this input *before* reduction, in the output's shape."""
    i = f.position
    x, other = (np.asarray(v, dtype=np.float64) for v in (f.inputs[i], f.inputs[1 - i]))
    d = f.d
    leading_other = d.ndim - other.ndim
    mutated = _first_slices_summed(d, leading_other) if leading_other > 0 else None
    if f.op.key == "mul":
        found = {"right": d * other, "swapped": d * x, "ignored": other + 0 * d, "squared": d * x * other}
    elif f.op.key == "add":
        found = {"right": d, "ignored": np.ones_like(d), "ones": None}
    else:
        wins = np.broadcast_to(x >= other if i == 0 else x > other, d.shape)
        loses = np.broadcast_to(other >= x if i == 1 else other > x, d.shape)
        return {"right": d * wins, "mask_swapped": d * loses, "ignored": wins.astype(np.float64),
                "unrouted": d.copy(), "relu_mask": d * np.broadcast_to(x > 0, d.shape)}
    if mutated is not None:
        found["mutated"] = mutated * other if f.op.key == "mul" else mutated
    return found


def _fit(f, label):
    """(reduced, right axes?, axes summed): the reduction of label's candidate that equals got, or None."""
    if f.op.key not in ("mul", "add", "max") or len(f.inputs) != 2 or f.got is None or f.expected is None:
        return None
    candidates = _candidates(f)
    if label not in candidates:
        return None
    got, shape, out_shape = f.got, np.shape(f.inputs[f.position]), f.d.shape
    full = candidates[label]
    if full is None:  # np.ones(input's shape), not reduced from anything
        ones = np.ones(shape)
        return (ones, True, ()) if got.shape == shape and f.matches(ones) else None
    if f.keep is not None and f.keep.shape == got.shape:  # ties: compare away from them only
        got = np.where(f.keep, got, 0.0)
    full = np.broadcast_to(full, out_shape)
    if f.keep is not None and f.keep.shape == full.shape:
        full = np.where(f.keep, full, 0.0)
    axes, _ = broadcast_axes(out_shape, shape)
    right = {axis for axis in axes if out_shape[axis] > 1}
    relevant = [axis for axis in range(len(out_shape)) if out_shape[axis] > 1]
    subsets = [s for k in range(len(relevant) + 1) for s in itertools.combinations(relevant, k)]
    subsets.sort(key=lambda s: len(right.symmetric_difference(s)))  # the right axes first
    for summed in subsets:
        reduced = full.sum(axis=summed)
        if reduced.size != got.size or not f.close(reduced.ravel(), got.ravel()):
            continue
        # (Where this wrong formula gives the right answer, Failure.matches says it is no evidence.)
        return reduced.reshape(f.got.shape), set(summed) == right, summed
    return None


def _reduction_kind(f, right_axes, summed):
    shape, out_shape = np.shape(f.inputs[f.position]), f.d.shape
    if right_axes and f.got.shape != out_shape:
        return "wrong_reduced_shape"
    return "unreduced_broadcast" if right_axes or not summed else "wrong_reduce_axis"


def _reduction_fits(kind):
    def predict(f):
        fit = _fit(f, "right")
        return fit[0] if fit and _reduction_kind(f, fit[1], fit[2]) == kind else None
    return predict


def _label_fits(label):
    return lambda f: (_fit(f, label) or (None,))[0]


def _broadcast_fix(f, what: str) -> str:
    shape = np.shape(f.inputs[f.position])
    axes, stretched = broadcast_axes(f.d.shape, shape)
    if not axes:
        return ""
    how = (" with keepdims=True" if len(stretched) == len(axes) else " and reshape") if stretched else ""
    return (f"{f.name} {what} {shape_text(f.d.shape)}: sum it over {axes_text(axes)}{how} to get back "
            f"{f.source}'s shape {shape_text(shape)}")


def _reduction_sentence(f, right_axes, summed) -> str:
    got, shape, out_shape = f.got, np.shape(f.inputs[f.position]), f.d.shape
    axes, stretched = broadcast_axes(out_shape, shape)
    if right_axes and got.shape == shape:
        return ""
    if right_axes and got.shape == out_shape:
        return _broadcast_fix(f, "has the output's shape")
    if right_axes:
        how = ("sum with keepdims=True" if len(got.shape) < len(shape) else
               f"sum over {axes_text(axes)} of grad_out" if axes else "do not sum")
        return (f"{f.name} has the right values but shape {shape_text(got.shape)} instead of {f.source}'s shape "
                f"{shape_text(shape)}: {how}, or reshape to {shape_text(shape)}")
    if not summed:
        return _broadcast_fix(f, "has the output's shape" if got.shape == out_shape
                              else "was not summed over the broadcast axes of the output")
    return (f"{f.name} was summed over {axes_text(summed)} of grad_out {shape_text(out_shape)}, but {f.source} "
            f"{shape_text(shape)} was broadcast along {axes_text(axes) if axes else 'no axis'}: sum over exactly "
            f"those" + (" (keepdims=True for the size-1 ones)" if stretched else ""))


_SENTENCES = {
    "swapped": "{name} matches grad_out * {source}: the operands are swapped; the mul gate swaps them, so "
               "{name} = grad_out * {other}",
    "ignored": "{name} ignores grad_out: it matches {local}, as if grad_out were all ones; {fix}",
    "ones": "{name} ignores grad_out: it is all ones (the local derivative of a + b) instead of grad_out, "
            "summed over the axes where {source} was broadcast",
    "squared": "{name} matches grad_out * a * b: the local derivative of a * b with respect to {source} is "
               "{other} alone",
    "mutated": "{name} was computed from a grad_out that an earlier step had already modified in place (its "
               "first slice holds a sum, as after grad[0] = grad.sum(0)): never write into grad_out or a view "
               "of it; build new arrays",
    "mask_swapped": "{name} gets grad_out where {other} wins and 0 where {source} wins: the mask is swapped; "
                    "max routes grad_out to the input that is larger",
    "relu_mask": "{name} gets grad_out where {source} > 0, which is ReLU's mask: max compares the two inputs, so "
                 "{name} gets grad_out where {source} is larger than {other}",
    "unrouted": "{name} gets grad_out everywhere: max routes grad_out only to where {source} is the larger "
                "input, and 0 elsewhere",
}
_LOCAL = {"mul": ("the local derivative {other} alone", "multiply it by grad_out"),
          "add": ("1 per broadcast copy", "the add gate passes grad_out itself on"),
          "max": ("the 0/1 mask of where {source} wins", "multiply the mask by grad_out")}


def _label_sentence(label):
    def say(f):
        _, right_axes, summed = _fit(f, label)
        reduction = _reduction_sentence(f, right_axes, summed)
        if label == "right":
            return reduction
        other = f.op.inputs[1 - f.position]
        local, fix = (text.format(other=other, source=f.source) for text in _LOCAL[f.op.key])
        sentence = _SENTENCES[label].format(name=f.name, source=f.source, other=other, local=local, fix=fix)
        return sentence + (f"; also, {reduction}" if reduction and label != "ones" else "")
    return say


def _near_ties_split(f):
    """Max with ties found by np.isclose and split half and half: exact for both gradients."""
    if f.op.key != "max" or len(f.inputs) != 2:
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
    return (f"at index {where} a and b differ by a relative {gap[i]:.1g}: a near tie, yet grad_out was split "
            f"as if they were equal (np.isclose?). Only exact equality a == b is a tie; route everything else "
            f"to the larger input with an exact comparison, a >= b or a > b")


def _copies(f):
    copies = f.d.size // max(1, int(np.size(f.inputs[f.position])))
    return 1.0 / copies if copies > 1 else None


_LABEL_IDS = {"swapped": "swapped_operands", "ignored": "ignored_upstream", "ones": "ignored_upstream",
              "squared": "squared_local_derivative", "mutated": "mutates_grad_out",
              "mask_swapped": "mask_swapped", "unrouted": "unrouted", "relu_mask": "relu_mask"}

_BOTH_INPUTS = ("mask_swapped", "unrouted", "relu_mask")

HYPOTHESES = (
    Hypothesis("near_ties_split", _near_ties_split, _near_tie_sentence, every_position=True),
    # Summing axis 0 only is the right reduction but the wrong shape on one example and the wrong
    # axes on another: one family.
    *(Hypothesis(kind, _reduction_fits(kind), _label_sentence("right"), family="reduction")
      for kind in ("unreduced_broadcast", "wrong_reduce_axis", "wrong_reduced_shape")),
    # Max's masks are one rule for both inputs: both gradients must fit.
    *(Hypothesis(mistake, _label_fits(label), _label_sentence(label), every_position=label in _BOTH_INPUTS)
      for label, mistake in _LABEL_IDS.items()),
)

FACTORS = (named("mean_not_sum", _copies, lambda f: (
    f"{f.name} is 1/{round(1 / _copies(f))} of the right gradient: the {round(1 / _copies(f))} broadcast copies "
    f"of {f.source} were averaged (mean); sum them instead")),)


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
        return Diagnosis("ignored_upstream", "grad_a and grad_b ignore grad_out: they are the 0/1 masks of which "
                                             "input wins; multiply each mask by grad_out")
    total = (grad_a + grad_b) / np.where(tied, d, 1.0)
    bad = tied & (np.abs(total - 1.0) > 1e-6)
    i = np.unravel_index(int(np.argmax(bad if bad.any() else tied)), d.shape)
    where = "()" if i == () else str(tuple(int(k) for k in i)).replace(",)", ")")
    ratios = total[tied]
    if np.allclose(ratios, 2.0, rtol=0, atol=1e-6):
        return Diagnosis("ties_doubled", f"at ties (a == b, e.g. index {where}) both a and b received the whole "
                         f"grad_out, which doubles it: route each tie to one input only, e.g. a >= b for grad_a "
                         f"and b > a for grad_b")
    if np.allclose(ratios, 0.0, rtol=0, atol=1e-6):
        return Diagnosis("ties_lost", f"at ties (a == b, e.g. index {where}) neither a nor b received grad_out, so "
                         f"it is lost: use a >= b for grad_a (and b > a for grad_b) so each tie goes to exactly "
                         f"one input")
    return Diagnosis("ties_not_shared", f"at ties (a == b, e.g. index {where}) grad_out is not split into shares "
                     f"in [0, 1] that add up to 1: give each tie to one input (a >= b for grad_a, b > a for "
                     f"grad_b) or split it, e.g. half each")
