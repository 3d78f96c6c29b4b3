"""What the binary elementwise ops with NumPy broadcasting share: their families and the
broadcast-reduction detectors an op opts into.

`families(op)` declares the families of such an op: same shapes, shapes that broadcast, 0-d
inputs (plus the op's extra ones), upstream and no_mutation. `detectors(...)` declares the op's
misconceptions: each mistake is a candidate gradient *before* reduction, in the output's shape
(``grad_out * x`` for swapped operands, the bare mask for an ignored ``grad_out``, ...), reduced
over some set of axes. A hypothesis fits when one reduction of its candidate equals what the
student returned; which axes were summed says whether the reduction itself was right, too.
"""

import itertools

import numpy as np

from ..core.cases import NO_MUTATION_DOC, UPSTREAM_DOC, Property
from ..core.diagnoses.factors import named
from ..core.diagnoses.failure import axes_text, shape_text
from ..core.diagnoses.mistakes import Hypothesis
from ..i18n import N_, _

_SIDE = dict(max_side=4)


# --------------------------------------------------------------------------- families

def _shapes(family):
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

    if family == "same_shape":
        return array_shapes(min_dims=1, max_dims=3, **_SIDE).map(lambda s: (s, s))
    if family == "broadcast":
        return mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, **_SIDE).map(
            lambda b: b.input_shapes).filter(lambda shapes: shapes[0] != shapes[1])

    @st.composite
    def scalar_shapes(draw):
        other = draw(array_shapes(min_dims=0, max_dims=3, **_SIDE))
        return ((), other) if draw(st.booleans()) else (other, ())
    return scalar_shapes()


def _binary(shapes, family, kind, gap):
    from hypothesis import assume, strategies as st

    from ..core import strategies as s

    @st.composite
    def binary(draw):
        shape_a, shape_b = draw(shapes)
        rng = s.rng(draw)
        scale = draw(st.sampled_from([0.5, 1.0, 3.0]))
        a, b = s.normal(rng, shape_a, scale), s.normal(rng, shape_b, scale)
        if gap:
            # Keep the op away from its kink: a central difference straddling it is meaningless.
            assume(np.abs(np.subtract(a, b)).min(initial=np.inf) > gap)
        grad_outs, mix = s.calls(rng, np.broadcast_shapes(shape_a, shape_b), kind)
        return s.Case((a, b), grad_outs, mix, family)
    return binary()


_FAMILIES = ("same_shape", "broadcast", "scalar")


def elementwise(family, kind="gradient", gap=0.0):
    """A binary op's examples of one family; ``no_mutation`` draws from every family."""
    from hypothesis import strategies as st

    if kind == "no_mutation":
        return st.one_of(*(_binary(_shapes(name), name, kind, gap) for name in _FAMILIES))
    return _binary(_shapes(family), family, kind, gap)


def families(op: str, gap=0.0, extra=()) -> tuple:
    """The properties of a binary broadcasting op; `gap`: |a - b| kept at least this far from a kink."""
    def family(name, kind="gradient"):
        return lambda: elementwise(name, kind, gap=gap)
    return (
        Property(op, "same_shape", N_("inputs of the same shape"), family("same_shape")),
        Property(op, "broadcast", N_("inputs of different shapes that broadcast (missing leading axes, size-1 "
                                    "axes)"),
                 family("broadcast")),
        Property(op, "scalar", N_("one or both inputs 0-d"), family("scalar")),
        *extra,
        Property(op, "upstream", UPSTREAM_DOC, family("same_shape", "upstream"), "upstream"),
        Property(op, "no_mutation", NO_MUTATION_DOC, family(None, "no_mutation"), "no_mutation"),
    )


# --------------------------------------------------------------------------- detectors

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


def operands(f):
    """(x, other, grad_out, grad_out as an in-place reduction left it, or None): what candidates are built of."""
    i = f.position
    x, other = (np.asarray(v, dtype=np.float64) for v in (f.inputs[i], f.inputs[1 - i]))
    d = f.d
    leading_other = d.ndim - other.ndim
    return x, other, d, _first_slices_summed(d, leading_other) if leading_other > 0 else None


def _fit(f, candidates, label):
    """(reduced, right axes?, axes summed): the reduction of label's candidate that equals got, or None."""
    if len(f.inputs) != 2 or f.got is None or f.expected is None:
        return None
    found = candidates(f)
    if label not in found:
        return None
    got, shape, out_shape = f.got, np.shape(f.inputs[f.position]), f.d.shape
    full = found[label]
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


def _broadcast_fix(f, what: str) -> str:
    shape = np.shape(f.inputs[f.position])
    axes, stretched = broadcast_axes(f.d.shape, shape)
    if not axes:
        return ""
    how = (_(" with keepdims=True") if len(stretched) == len(axes) else _(" and reshape")) if stretched else ""
    return ((_("{name} {what} {shape_text}: sum it over {axes_text}{how} to get back {source}'s shape "
               "{shape_text2}")
             .format(name=f.name, what=what, shape_text=shape_text(f.d.shape), axes_text=axes_text(axes), how=how, source=f.source, shape_text2=shape_text(shape))))


def _reduction_sentence(f, right_axes, summed) -> str:
    got, shape, out_shape = f.got, np.shape(f.inputs[f.position]), f.d.shape
    axes, stretched = broadcast_axes(out_shape, shape)
    if right_axes and got.shape == shape:
        return ""
    if right_axes and got.shape == out_shape:
        return _broadcast_fix(f, _("has the output's shape"))
    if right_axes:
        how = (_("sum with keepdims=True") if len(got.shape) < len(shape) else
               _("sum over {axes_text} of grad_out").format(axes_text=axes_text(axes)) if axes else _("do not sum"))
        return ((_("{name} has the right values but shape {shape_text} instead of {source}'s shape "
                   "{shape_text2}: {how}, or reshape to {shape_text2}")
                 .format(name=f.name, shape_text=shape_text(got.shape), source=f.source, shape_text2=shape_text(shape), how=how)))
    if not summed:
        return _broadcast_fix(f, _("has the output's shape") if got.shape == out_shape
                              else _("was not summed over the broadcast axes of the output"))
    return ((_("{name} was summed over {axes_text} of grad_out {shape_text}, but {source} {shape_text2} was "
               "broadcast along {value}: sum over exactly those")
             .format(name=f.name, axes_text=axes_text(summed), shape_text=shape_text(out_shape), source=f.source, shape_text2=shape_text(shape), value=axes_text(axes) if axes else _('no axis'))) + (_(" (keepdims=True for the size-1 ones)") if stretched else ""))


# The labels the elementwise ops share (mistake id, sentence), each declared once.
IGNORED = ("ignored_upstream",
           N_("{name} ignores grad_out: it matches {local}, as if grad_out were all ones; {fix}"))
MUTATED = ("mutates_grad_out",
           N_("{name} was computed from a grad_out that an earlier step had already modified in place (its "
             "first slice holds a sum, as after grad[0] = grad.sum(0)): never write into grad_out or a view of "
             "it; build new arrays"))


def detectors(candidates, labels: dict, local=("", "")) -> tuple:
    """The hypotheses of a broadcasting op.

    `candidates(f)` gives ``{label: full gradient before reduction}`` ("right" included; None for
    "np.ones of the input's shape"); `labels` maps each wrong label, in order, to ``(mistake id,
    sentence, every_position)``; the sentences may use {name}, {source}, {other}, {local} and {fix},
    the last two from `local` (what the op's local derivative alone is, and how to fix that).
    """
    def say(label):
        def sentence(f):
            _fitted, right_axes, summed = _fit(f, candidates, label)
            reduction = _reduction_sentence(f, right_axes, summed)
            if label == "right":
                return reduction
            other = f.op.inputs[1 - f.position]
            here, fix = (_(text).format(other=other, source=f.source) for text in local)
            text = _(labels[label][1]).format(name=f.name, source=f.source, other=other, local=here, fix=fix)
            # (A None candidate fits only unreduced, with the input's shape: no reduction to add.)
            return text + (_("; also, {reduction}").format(reduction=reduction) if reduction else "")
        return sentence

    def reduction_fits(kind):
        def predict(f):
            fit = _fit(f, candidates, "right")
            return fit[0] if fit and _reduction_kind(f, fit[1], fit[2]) == kind else None
        return predict

    def label_fits(label):
        return lambda f: (_fit(f, candidates, label) or (None,))[0]

    return (
        # Summing axis 0 only is the right reduction but the wrong shape on one example and the wrong
        # axes on another: one family.
        *(Hypothesis(kind, reduction_fits(kind), say("right"), family="reduction")
          for kind in ("unreduced_broadcast", "wrong_reduce_axis", "wrong_reduced_shape")),
        *(Hypothesis(mistake, label_fits(label), say(label), every_position=both)
          for label, (mistake, _, both) in labels.items()),
    )


def _copies(f):
    copies = f.d.size // max(1, int(np.size(f.inputs[f.position])))
    return 1.0 / copies if copies > 1 else None


FACTORS = (named("mean_not_sum", _copies, lambda f: (
    _("{name} is 1/{round} of the right gradient: the {round} broadcast copies of {source} were averaged "
      "(mean); sum them instead").format(name=f.name, round=round(1 / _copies(f)), source=f.source))),)
