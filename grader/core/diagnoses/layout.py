"""Op-independent wrong answers: the right numbers in the wrong place, or scaled.

Gradients returned in the wrong order, a transposed gradient, entries re-laid by a reshape in the
wrong order (of the gradient, or of ``grad_out`` or an input before it is used), all zeros. Each
predicts the student's gradient from the right one (or, for ``grad_out`` and the inputs, by
recomputing the right gradient for the reordered array).
"""

import numpy as np

from .failure import maxabs, returned_tuple, shape_text
from .mistakes import Hypothesis
from ...i18n import _


def _wrong_order(f):
    """The other input's right gradient, when the student's other gradient is this one's right gradient."""
    for other, candidate in enumerate(f.expected_grads):
        if other == f.position or candidate is None or not f.op.is_float_input(other) or f.expected is None:
            continue
        if candidate.shape == f.expected.shape and f.close(candidate, f.expected):
            continue  # both right gradients are equal (add, same shapes): the order cannot matter
        mine = f.grads[other] if other < len(f.grads) else None
        if mine is not None and f.close(mine, f.expected) and f.got is not None and f.close(f.got, candidate):
            return candidate
    return None


def _wrong_order_sentence(f):
    other = next(i for i, c in enumerate(f.expected_grads) if i != f.position and c is not None
                 and f.close(f.got, c))
    right = f.op.grad_name(other)
    a, b = f.inputs[:2]
    if f.op.swapped_inputs and a.shape == b.shape:
        return ((_("{name} equals the right {right}: either {swapped_inputs} or the gradients are returned in "
                   "the wrong order; return {returned_tuple}")
                 .format(name=f.name, right=right, swapped_inputs=_(f.op.swapped_inputs), returned_tuple=returned_tuple(f.op))))
    return ((_("{name} equals the right {right}: the gradients are returned in the wrong order; return them in "
               "forward's input order, {returned_tuple}")
             .format(name=f.name, right=right, returned_tuple=returned_tuple(f.op))))


def _square(f):
    return f.expected is not None and f.expected.ndim == 2 and f.expected.shape[0] == f.expected.shape[1]


def _transposed(f):
    e = f.expected
    if e is None or f.got is None or e.ndim != 2 or e.shape == (1, 1) or f.got.shape != e.shape[::-1]:
        return None
    return e.T


def _transposed_sentence(f):
    also = (_(" (on a square matrix a reshape that reads the entries in column order gives the same numbers: "
              "reshape does not transpose either)") if _square(f) else "")
    return ((_("{name} is the transpose of the right gradient: it must have {source}'s shape {shape_text}; "
               "transpose it, or write the product the other way round ((XY)ᵀ = YᵀXᵀ){also}")
             .format(name=f.name, source=f.source, shape_text=shape_text(f.expected.shape), also=also)))


def _reshaped_transpose(f):
    e = f.expected
    if e is None or f.got is None or e.ndim != 2 or _square(f) or f.got.shape != e.shape:
        return None
    return e.T.reshape(e.shape)


def relayouts(x):
    """(how, array): x's entries re-laid in x's shape by the classic reshape-order mistakes."""
    x = np.asarray(x)
    shape = x.shape
    if x.ndim < 2 or x.size < 2:
        return []
    last = shape[-1]
    found = [(f"reshape({last}, -1).T instead of reshape(-1, {last})", np.reshape(np.reshape(x, (last, -1)).T, shape)),
             (f"reshape(-1, {last}, order='F')", np.reshape(np.reshape(x, (-1, last), order="F"), shape)),
             (_("read in column (Fortran) order"), np.reshape(np.ravel(x, order="F"), shape)),
             (_("written in column (Fortran) order"), np.reshape(np.ravel(x), shape, order="F"))]
    distinct = []
    for how, y in found:  # the first name of each distinct re-laying, never the identity
        if not np.array_equal(y, x) and not any(np.array_equal(y, seen) for _, seen in distinct):
            distinct.append((how, y))
    return distinct


def _relaid_gradient(f):
    if f.expected is None or f.got is None or f.got.shape != f.expected.shape:
        return None
    return next((y for _, y in relayouts(f.expected) if f.close(f.got, y)), None)


def _relaid_upstream(f):
    """The right gradient recomputed for grad_out with its entries reordered, if that is what got is."""
    for _, candidate in _upstream_relayouts(f):
        if candidate is not None and f.got is not None and f.close(f.got, candidate):
            return candidate
    return None


def _upstream_relayouts(f):
    for how, d in relayouts(f.d):
        grad_outs = list(f.case.grad_outs)
        grad_outs[f.call] = d
        yield how, f.recompute(grad_outs=grad_outs)


def _input_relayouts(f):
    """(input name, how, the right gradient recomputed with that input's entries reordered)."""
    for position, x in enumerate(f.inputs):
        for how, y in relayouts(x):
            inputs = list(f.inputs)
            inputs[position] = y
            yield f.op.inputs[position], how, f.recompute(inputs=inputs)


def _relaid_input(f):
    """The right gradient for an input read in another order (indices.ravel(order='F') paired with
    grad_out's rows in C order), if that is what got is."""
    return next((g for _, _, g in _input_relayouts(f) if g is not None and f.got is not None
                 and f.close(f.got, g)), None)


def _relaid_input_sentence(f):
    name, how = next((n, h) for n, h, g in _input_relayouts(f) if g is not None and f.close(f.got, g))
    return _relaid_sentence(f, upstream=False, what=(_("the right gradient for {name} with its entries "
                                                       "reordered ({how})")
                                                     .format(name=name, how=how)))


def _relaid_sentence(f, upstream, what=""):
    if not what:
        pairs = _upstream_relayouts(f) if upstream else relayouts(f.expected)
        how = next(h for h, y in pairs if y is not None and f.close(f.got, y))
        what = (_("the right gradient of a grad_out whose entries were reordered ({how})").format(how=how) if upstream else
                _("the right values in another order ({how})").format(how=how))
    return (_("{name} is {what}: reshape and ravel use C order (the last axis varies fastest) unless told "
              "otherwise, and a reshape never transposes; reshape with plain .reshape(...) (no order=, no .T) "
              "so each entry stays paired with its own index").format(name=f.name, what=what))


def _all_zeros(f):
    if f.expected is None or maxabs(f.expected) <= 10 * 1e-7:
        return None
    return np.zeros_like(f.expected)


BEFORE = (Hypothesis("wrong_order", _wrong_order, _wrong_order_sentence),)

AFTER = (
    Hypothesis("transposed", _transposed, _transposed_sentence),
    Hypothesis("transposed", _reshaped_transpose, lambda f: (
        (_("{name} holds the right numbers in transposed order: a {shape_text} result was reshaped to "
           "{shape_text2}, but reshape does not transpose; use .T")
         .format(name=f.name, shape_text=shape_text(f.expected.shape[::-1]), shape_text2=shape_text(f.expected.shape))))),
    Hypothesis("reshape_order", _relaid_upstream, lambda f: _relaid_sentence(f, upstream=True)),
    Hypothesis("reshape_order", _relaid_input, _relaid_input_sentence),
    Hypothesis("reshape_order", _relaid_gradient, lambda f: _relaid_sentence(f, upstream=False)),
)

ZEROS = (Hypothesis("zero_gradient", _all_zeros, lambda f: (
    (_("{name} is all zeros but the right gradient is not: no contribution of grad_out reached it")
     .format(name=f.name)))),)
