"""matmul: missing transposes, factors in the wrong order, operands swapped, an ignored grad_out."""

import numpy as np

from .factors import named
from .mistakes import Hypothesis


def _product(compute):
    def predict(f):
        a, b = (v.astype(np.float64) for v in f.inputs)
        try:
            return compute(a, b, f.d)
        except ValueError:  # the shapes of this wrong product do not line up in this example
            return None
    return predict


def _at(position, compute):
    """The prediction for one gradient position (grad_a's mistakes say nothing about grad_b)."""
    predict = _product(compute)
    return lambda f: predict(f) if f.position == position else None


_GRAD_A = (
    ("ignored_upstream", lambda a, b, d: np.ones_like(d) @ b.T,
     "grad_a ignores grad_out: it matches an all-ones grad_out (ones @ b.T); use grad_out itself"),
    ("missing_transpose", lambda a, b, d: d @ b,
     "grad_a matches grad_out @ b: b needs a transpose (grad_a must be (m, n) from grad_out (m, p) and b (n, p))"),
    ("product_order_swapped", lambda a, b, d: b.T @ d,
     "grad_a matches b.T @ grad_out: the factors are in the wrong order; grad_out comes first, then the "
     "transposed b"),
    ("transposed", lambda a, b, d: b @ d.T,
     "grad_a matches b @ grad_out.T, the transpose of the right gradient: swap the factors and transpose each "
     "((XY)ᵀ = YᵀXᵀ)"),
    ("swapped_operands", lambda a, b, d: d @ a.T,
     "grad_a matches grad_out @ a.T: it is built from a, but the operands are swapped; grad_a comes from "
     "grad_out and b"),
    ("swapped_operands", lambda a, b, d: a.T @ d,
     "grad_a matches a.T @ grad_out, which is the right grad_b: the operands are swapped; grad_a comes from "
     "grad_out and b"),
)
_GRAD_B = (
    ("ignored_upstream", lambda a, b, d: a.T @ np.ones_like(d),
     "grad_b ignores grad_out: it matches an all-ones grad_out (a.T @ ones); use grad_out itself"),
    ("swapped_operands", lambda a, b, d: b.T @ d,
     "grad_b matches b.T @ grad_out: it is built from b, but the operands are swapped; grad_b comes from a and "
     "grad_out"),
    ("missing_transpose", lambda a, b, d: a @ d,
     "grad_b matches a @ grad_out: a needs a transpose (grad_b must be (n, p) from a (m, n) and grad_out (m, p))"),
    ("product_order_swapped", lambda a, b, d: d @ a.T,
     "grad_b matches grad_out @ a.T: the factors are in the wrong order; the transposed a comes first, then "
     "grad_out"),
    ("transposed", lambda a, b, d: d.T @ a,
     "grad_b matches grad_out.T @ a, the transpose of the right gradient: swap the factors and transpose each "
     "((XY)ᵀ = YᵀXᵀ)"),
    ("swapped_operands", lambda a, b, d: d @ b.T,
     "grad_b matches grad_out @ b.T, which is the right grad_a: the operands are swapped; grad_b comes from a "
     "and grad_out"),
)

HYPOTHESES = tuple(Hypothesis(mistake, _at(position, compute), lambda f, s=sentence: s)
                   for position, table in ((0, _GRAD_A), (1, _GRAD_B)) for mistake, compute, sentence in table)


def _size(f, which):
    (m, n), p = f.inputs[0].shape, f.inputs[1].shape[1]
    size = {"m": m, "n": n, "p": p}[which]
    return size if size > 1 else None


_WHAT = {"m": "m, the number of rows of a", "n": "n, the inner dimension", "p": "p, the number of columns of b"}

FACTORS = tuple(
    factor for which in "mnp" for factor in (
        named("averaged_product", lambda f, w=which: None if _size(f, w) is None else 1.0 / _size(f, w),
              lambda f, w=which: (f"{f.name} is 1/{_size(f, w)} of the right gradient (divided by {_WHAT[w]}): a "
                                  f"matrix product is a sum, not a mean; drop the division")),
        named("constant_factor", lambda f, w=which: None if _size(f, w) is None else float(_size(f, w)),
              lambda f, w=which: f"{f.name} is {_size(f, w)} times the right gradient (multiplied by {_WHAT[w]})")))
