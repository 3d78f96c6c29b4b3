"""layer_norm: normalise each row of ``x (..., D)`` over its last axis, no affine, ``eps = 1e-5``.

Everything the grader knows about this op is declared in `OP`: its contract (class
``LayerNorm``, one float input ``x``), its property families (what each is tested on, the one
line students read, the strategy that draws its examples), its default points, and the
misconceptions its feedback can name. The reference backward is ``layer_norm_reference.py``
beside this file; it is loaded only in the trusted grading process.

The backward couples every element of a row: ``grad_x = (g - mean(g) - x̂ mean(g x̂)) / σ``. The
families are chosen so that each classic mistake shows somewhere, and costs only where it shows:
``one_row`` is a 1-d ``(D,)`` input (where the last axis is also axis 0); ``batch`` and
``batch_time`` are ``(N, D)`` and ``(B, T, D)``, so a mean over the wrong axis mixes rows;
``offset_scale`` gives each row its own offset (up to 100 spreads from 0) and spread (0.05 to
30), so ``eps`` is up to 0.4% of the variance. Offsets stay within 100 spreads so that a central
difference with a step relative to |x| (the students' public oracle) stays accurate to ~1e-11.
``D`` ranges over 3..8: at ``D = 2`` both entries of x̂ are +-1 up to eps, so the true gradient
is eps-sized and a central difference cannot resolve it within the tolerance (measured: the
public oracle was off by 3.4 tolerances there; from ``D = 3`` on, by at most 0.9% of one).
Hypothesis is imported only when examples are drawn.
"""

import numpy as np

from grader.ops.api import NO_MUTATION_DOC, UPSTREAM_DOC, Hypothesis, OpSpec, Property

EPS = 1e-5                       # as the reference's LayerNorm.eps
SCALES = (0.5, 1.0, 3.0)         # spreads of the plain families
SPREAD_EXPONENTS = (-1.3, 1.48)  # offset_scale: spreads 10**U(-1.3, 1.48), i.e. 0.05 to 30
MAX_OFFSET = 100.0               # offset_scale: |offset| up to this many spreads
LAYOUTS = ("one_row", "batch", "batch_time", "offset_scale")


def _cases(layout, kind="gradient"):
    """The Hypothesis strategy of one family (called only when examples are drawn)."""
    from hypothesis import strategies as st

    from grader.ops import draws

    @st.composite
    def case(draw):
        dim = draw(st.integers(3, 8))
        lead = {"one_row": st.just(()), "batch": st.tuples(st.integers(2, 6)),
                "batch_time": st.tuples(st.integers(1, 3), st.integers(2, 4)),
                "offset_scale": st.tuples(st.integers(1, 6))}[layout]
        shape = draw(lead) + (dim,)
        rng = draws.rng(draw)
        if layout == "offset_scale":
            rows = shape[:-1] + (1,)
            spread = 10.0 ** rng.uniform(*SPREAD_EXPONENTS, size=rows)
            offset = spread * rng.uniform(-MAX_OFFSET, MAX_OFFSET, size=rows)
            x = np.asarray(offset + spread * rng.standard_normal(shape), dtype=np.float64)
        else:
            x = draws.normal(rng, shape, draw(st.sampled_from(SCALES)))
        grad_outs, mix = draws.calls(rng, shape, kind)
        return draws.Case((x,), grad_outs, mix, layout)
    return case()


def _every_family(kind):
    from hypothesis import strategies as st

    return st.one_of(*(_cases(layout, kind) for layout in LAYOUTS))


# --------------------------------------------------------------------------- what feedback can name

def _rows(f, ddof=0, eps=EPS):
    """(x̂, 1/σ) of the failing example's rows, with the variance and eps a mistake would use."""
    x = f.inputs[0].astype(np.float64)
    centred = x - x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=-1, ddof=ddof, keepdims=True) + eps)
    return centred * inv_std, inv_std


def _formula(f, xhat, inv_std, reduce=np.mean, axis=-1):
    g = f.d
    return (g - reduce(g, axis=axis, keepdims=True) - xhat * reduce(g * xhat, axis=axis, keepdims=True)) * inv_std


def _wrong_axis(f):
    return _formula(f, *_rows(f), axis=0) if f.d.ndim >= 2 else None


HYPOTHESES = (
    Hypothesis("missing_mean_terms", lambda f: f.d * _rows(f)[1], lambda f: (
        f"{f.name} matches grad_out / σ: the row's mean and variance depend on x too; add the terms "
        f"- mean(g) - x̂ * mean(g * x̂) inside the bracket")),
    Hypothesis("dropped_variance_term", lambda f: (f.d - f.d.mean(axis=-1, keepdims=True)) * _rows(f)[1], lambda f: (
        f"{f.name} matches (g - mean(g)) / σ: the term - x̂ * mean(g * x̂), which comes through the variance, "
        f"is missing")),
    Hypothesis("sum_not_mean", lambda f: _formula(f, *_rows(f), reduce=np.sum), lambda f: (
        f"{f.name} matches the formula with sums over the row where it has means: divide both by D")),
    Hypothesis("wrong_axis", _wrong_axis, lambda f: (
        f"{f.name} matches the formula with its means over axis 0: a row is the last axis (axis=-1)")),
    Hypothesis("eps_forgotten", lambda f: _formula(f, *_rows(f, eps=0.0)), lambda f: (
        f"{f.name} matches σ computed without eps: forward uses sqrt(var + eps), so backward must too "
        f"(use self.inv_std)")),
    Hypothesis("unbiased_variance", lambda f: _formula(f, *_rows(f, ddof=1)), lambda f: (
        f"{f.name} matches σ from the unbiased variance (ddof=1): forward divides by D; use self.inv_std")),
)

OP = OpSpec(
    key="layer_norm", class_name="LayerNorm", inputs=("x",),
    doc="each row of x (..., D) normalised over the last axis, no affine, eps = 1e-5",
    properties=(
        Property("layer_norm", "one_row", "a single row x of shape (D,), D from 3 to 8", lambda: _cases("one_row")),
        Property("layer_norm", "batch", "a batch of rows (N, D): each row is normalised on its own",
                 lambda: _cases("batch")),
        Property("layer_norm", "batch_time", "inputs of shape (B, T, D): normalised over the last axis only",
                 lambda: _cases("batch_time")),
        Property("layer_norm", "offset_scale", "rows far from 0 (up to 100 spreads), spreads from 0.05 to 30:"
                 " eps matters", lambda: _cases("offset_scale")),
        Property("layer_norm", "upstream", UPSTREAM_DOC, lambda: _cases("one_row", "upstream"), "upstream"),
        Property("layer_norm", "no_mutation", NO_MUTATION_DOC, lambda: _every_family("no_mutation"), "no_mutation"),
    ),
    points={"one_row": 3, "batch": 4, "batch_time": 3, "offset_scale": 3, "upstream": 2, "no_mutation": 2},
    hypotheses=HYPOTHESES,
)
