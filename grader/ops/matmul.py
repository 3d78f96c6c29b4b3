"""matmul: ``a @ b`` for 2-d a (m, n) and b (n, p); missing transposes, factors in the wrong order,
operands swapped, an ignored grad_out."""

import numpy as np

from ..core.diagnoses.factors import named
from ..core.cases import NO_MUTATION_DOC, UPSTREAM_DOC, Property
from ..core.contract import OpSpec
from ..core.diagnoses.mistakes import Diagnosis
from ..core.diagnoses.mistakes import Hypothesis
from ..i18n import N_, _


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
     N_("grad_a ignores grad_out: it matches an all-ones grad_out (ones @ b.T); use grad_out itself")),
    ("missing_transpose", lambda a, b, d: d @ b,
     N_("grad_a matches grad_out @ b: b needs a transpose (grad_a must be (m, n) from grad_out (m, p) and b (n, "
       "p))")),
    ("product_order_swapped", lambda a, b, d: b.T @ d,
     N_("grad_a matches b.T @ grad_out: the factors are in the wrong order; grad_out comes first, then the "
       "transposed b")),
    ("transposed", lambda a, b, d: b @ d.T,
     N_("grad_a matches b @ grad_out.T, the transpose of the right gradient: swap the factors and transpose "
       "each ((XY)ᵀ = YᵀXᵀ)")),
    ("swapped_operands", lambda a, b, d: d @ a.T,
     N_("grad_a matches grad_out @ a.T: it is built from a, but the operands are swapped; grad_a comes from "
       "grad_out and b")),
    ("swapped_operands", lambda a, b, d: a.T @ d,
     N_("grad_a matches a.T @ grad_out, which is the right grad_b: the operands are swapped; grad_a comes from "
       "grad_out and b")),
)
_GRAD_B = (
    ("ignored_upstream", lambda a, b, d: a.T @ np.ones_like(d),
     N_("grad_b ignores grad_out: it matches an all-ones grad_out (a.T @ ones); use grad_out itself")),
    ("swapped_operands", lambda a, b, d: b.T @ d,
     N_("grad_b matches b.T @ grad_out: it is built from b, but the operands are swapped; grad_b comes from a "
       "and grad_out")),
    ("missing_transpose", lambda a, b, d: a @ d,
     N_("grad_b matches a @ grad_out: a needs a transpose (grad_b must be (n, p) from a (m, n) and grad_out (m, "
       "p))")),
    ("product_order_swapped", lambda a, b, d: d @ a.T,
     N_("grad_b matches grad_out @ a.T: the factors are in the wrong order; the transposed a comes first, then "
       "grad_out")),
    ("transposed", lambda a, b, d: d.T @ a,
     N_("grad_b matches grad_out.T @ a, the transpose of the right gradient: swap the factors and transpose "
       "each ((XY)ᵀ = YᵀXᵀ)")),
    ("swapped_operands", lambda a, b, d: d @ b.T,
     N_("grad_b matches grad_out @ b.T, which is the right grad_a: the operands are swapped; grad_b comes from "
       "a and grad_out")),
)

HYPOTHESES = tuple(Hypothesis(mistake, _at(position, compute), lambda f, s=sentence: _(s))
                   for position, table in ((0, _GRAD_A), (1, _GRAD_B)) for mistake, compute, sentence in table)


def _size(f, which):
    (m, n), p = f.inputs[0].shape, f.inputs[1].shape[1]
    size = {"m": m, "n": n, "p": p}[which]
    return size if size > 1 else None


_WHAT = {"m": N_("m, the number of rows of a"), "n": N_("n, the inner dimension"), "p": N_("p, the number of columns of b")}

FACTORS = tuple(
    factor for which in "mnp" for factor in (
        named("averaged_product", lambda f, w=which: None if _size(f, w) is None else 1.0 / _size(f, w),
              lambda f, w=which: ((_("{name} is 1/{size} of the right gradient (divided by {what}): a matrix "
                                     "product is a sum, not a mean; drop the division")
                                   .format(name=f.name, size=_size(f, w), what=_(_WHAT[w]))))),
        named("constant_factor", lambda f, w=which: None if _size(f, w) is None else float(_size(f, w)),
              lambda f, w=which: (_("{name} is {size} times the right gradient (multiplied by {what})")
                                  .format(name=f.name, size=_size(f, w), what=_(_WHAT[w]))))))


def mismatched_product(f):
    """backward raised NumPy's matmul shape mismatch: which shapes each gradient must have."""
    raised = f.verdict.error  # the runner's line for the exception (the judge's field, not its sentence)
    if "matmul" not in raised or "mismatch" not in raised:
        return None
    a, b = f.inputs
    shape = lambda s: str(tuple(int(n) for n in s))  # noqa: E731
    return Diagnosis("mismatched_product", (_("a matrix product in backward has mismatched shapes: with a "
                                              "{shape}, b {shape2} and grad_out {shape3}, grad_a must be "
                                              "{shape} and grad_b {shape2}; match the shapes (a transpose is "
                                              "missing or the factors are swapped)")
                                            .format(shape=shape(a.shape), shape2=shape(b.shape), shape3=shape(f.d.shape))))


# --------------------------------------------------------------------------- families

def _shapes(family):
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import mutually_broadcastable_shapes

    if family == "square":
        return st.integers(2, 6).map(lambda n: ((n, n), (n, n)))
    return mutually_broadcastable_shapes(
        signature="(m,n),(n,p)->(m,p)", max_dims=0, min_side=1, max_side=6).map(lambda b: b.input_shapes)


def _cases(family, kind="gradient"):
    from hypothesis import strategies as st

    from ..core import strategies as s

    shapes = _shapes(family)

    @st.composite
    def matmul(draw):
        shape_a, shape_b = draw(shapes)
        rng = s.rng(draw)
        a, b = s.normal(rng, shape_a), s.normal(rng, shape_b)
        grad_outs, mix = s.calls(rng, (shape_a[0], shape_b[1]), kind)
        return s.Case((a, b), grad_outs, mix, family)
    return matmul()


def _either(kind):
    from hypothesis import strategies as st

    return st.one_of(_cases("rectangular", kind), _cases("square", kind))


OP = OpSpec(
    key="matmul", class_name="MatMul", inputs=("a", "b"),
    doc=N_("a @ b for a (m, n) and b (n, p)"),
    properties=(
        Property("matmul", "rectangular", N_("a (m, n) @ b (n, p) with sides from 1 to 6"), lambda: _cases("rectangular")),
        Property("matmul", "square", N_("square matrices: a missing transpose cannot hide behind the shape"),
                 lambda: _cases("square")),
        Property("matmul", "upstream", UPSTREAM_DOC, lambda: _cases("rectangular", "upstream"), "upstream"),
        Property("matmul", "no_mutation", NO_MUTATION_DOC, lambda: _either("no_mutation"), "no_mutation"),
    ),
    points={"rectangular": 5, "square": 5, "upstream": 3, "no_mutation": 3},
    hypotheses=HYPOTHESES,
    factors=FACTORS,
    errors=(mismatched_product,),
)
