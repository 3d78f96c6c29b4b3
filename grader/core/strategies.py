"""The Hypothesis half of the property families (cases.py declares them): their strategies.

Imported only when examples are drawn (bank.py) or a failure is shrunk (shrink.py): grading from a
stored bank never imports Hypothesis. Every strategy draws the *structure* of an example with
Hypothesis and its values from ``np.random.default_rng`` of a drawn 32-bit seed (cases.py says why).
"""

import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from .cases import MAX_GAP, NEAR_TIE, Case


# --------------------------------------------------------------------------- value helpers

def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _normal(rng, shape, scale=1.0):
    # np.asarray keeps 0-d inputs as 0-d arrays, not NumPy scalars.
    return np.asarray(rng.normal(0.0, scale, size=shape), dtype=np.float64)


def _upstream(rng, shape):
    """A random upstream gradient: never all ones (that hides an ignored grad_out)."""
    return _normal(rng, shape)


def _loss_upstream(rng):
    """A random 0-d upstream for the loss, kept away from 1 so ignoring it is visible."""
    d = rng.uniform(0.25, 4.0) * rng.choice([-1.0, 1.0])
    if abs(d - 1.0) < 0.1:
        d += 0.5
    return np.asarray(d, dtype=np.float64)


def _calls(rng, shape, kind, upstream=_upstream):
    """The grad_outs of one example, and the mix for linearity, by property kind."""
    if kind == "upstream":
        d1, d2 = upstream(rng, shape), upstream(rng, shape)
        alpha, beta = (float(c) for c in rng.uniform(-2.0, 2.0, size=2))
        return (np.zeros_like(d1), d1, d2, np.asarray(alpha * d1 + beta * d2), d1.copy()), (alpha, beta)
    d = upstream(rng, shape)
    if kind == "no_mutation":
        return (d, d.copy()), ()
    return (d,), ()


# --------------------------------------------------------------------------- binary elementwise

_SIDE = dict(max_side=4)
same_shapes = array_shapes(min_dims=1, max_dims=3, **_SIDE).map(lambda s: (s, s))
broadcast_shapes = mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, **_SIDE).map(
    lambda b: b.input_shapes).filter(lambda shapes: shapes[0] != shapes[1])


@st.composite
def scalar_shapes(draw):
    other = draw(array_shapes(min_dims=0, max_dims=3, **_SIDE))
    return ((), other) if draw(st.booleans()) else (other, ())


@st.composite
def binary(draw, shapes, family, kind="gradient", gap=0.0):
    shape_a, shape_b = draw(shapes)
    rng = _rng(draw)
    scale = draw(st.sampled_from([0.5, 1.0, 3.0]))
    a, b = _normal(rng, shape_a, scale), _normal(rng, shape_b, scale)
    if gap:
        # Keep max away from its kink: a central difference straddling a tie is meaningless.
        assume(np.abs(np.subtract(a, b)).min(initial=np.inf) > gap)
    grad_outs, mix = _calls(rng, np.broadcast_shapes(shape_a, shape_b), kind)
    return Case((a, b), grad_outs, mix, family)


@st.composite
def ties(draw):
    """Same-shape a and b with exact ties at a random subset of positions (at least one), and
    near ties at some others: a and b apart by a relative NEAR_TIE, which ``np.isclose`` calls
    equal but which are no tie (the whole grad_out goes to the larger)."""
    shape = draw(array_shapes(min_dims=1, max_dims=2, max_side=5))
    rng = _rng(draw)
    a, b = _normal(rng, shape), _normal(rng, shape)
    tied = rng.random(shape) < 0.5
    tied.flat[0] = True
    near = ~tied & (rng.random(shape) < 0.5)
    b[tied] = a[tied]
    b[near] = a[near] * (1.0 + NEAR_TIE * rng.choice([-1.0, 1.0], size=int(near.sum())))
    return Case((a, b), (_upstream(rng, shape),), family="ties")


SHAPES = {"same_shape": same_shapes, "broadcast": broadcast_shapes, "scalar": scalar_shapes()}


def elementwise(family, kind="gradient", gap=0.0):
    """A binary op's examples of one family; ``no_mutation`` draws from every family."""
    if kind == "no_mutation":
        return st.one_of(*(binary(shapes, name, kind, gap=gap) for name, shapes in SHAPES.items()))
    return binary(SHAPES[family], family, kind, gap=gap)


# --------------------------------------------------------------------------- sigmoid

@st.composite
def sigmoid(draw, kind="gradient", extreme=False):
    shape = draw(array_shapes(min_dims=0, max_dims=3, **_SIDE))
    rng = _rng(draw)
    x = np.asarray(rng.uniform(-8.0, 8.0, size=shape), dtype=np.float64)
    if extreme:
        # Half the entries anywhere in [-1000, 1000]; the first one always beyond +-700, where
        # exp() of its magnitude overflows.
        far = rng.random(shape) < 0.5
        x = np.where(far, rng.uniform(-1000.0, 1000.0, size=shape), x)
        x.flat[0] = rng.choice([-1.0, 1.0]) * rng.uniform(700.0, 1000.0)
    grad_outs, mix = _calls(rng, shape, kind)
    return Case((x,), grad_outs, mix, "stability" if extreme else "values")


# --------------------------------------------------------------------------- matmul

matmul_shapes = mutually_broadcastable_shapes(
    signature="(m,n),(n,p)->(m,p)", max_dims=0, min_side=1, max_side=6).map(lambda b: b.input_shapes)
square_shapes = st.integers(2, 6).map(lambda n: ((n, n), (n, n)))


@st.composite
def matmul(draw, shapes, family, kind="gradient"):
    shape_a, shape_b = draw(shapes)
    rng = _rng(draw)
    a, b = _normal(rng, shape_a), _normal(rng, shape_b)
    grad_outs, mix = _calls(rng, (shape_a[0], shape_b[1]), kind)
    return Case((a, b), grad_outs, mix, family)


# --------------------------------------------------------------------------- softmax cross-entropy

@st.composite
def softmax_ce(draw, rows, kind="gradient", extreme=False):
    n, c = draw(rows), draw(st.integers(2, 7))
    rng = _rng(draw)
    if extreme:
        # Rows centred anywhere in [-1000, 1000]: exp() of a raw logit overflows. Half the rows
        # spread widely (a confident softmax), half tightly (a soft one at a huge offset).
        centre = rng.uniform(-1000.0, 1000.0, size=(n, 1))
        spread = np.where(rng.random((n, 1)) < 0.5, 300.0, 2.0)
        logits = centre + spread * rng.standard_normal((n, c))
    else:
        logits = _normal(rng, (n, c), draw(st.sampled_from([0.5, 1.0, 3.0])))
    labels = rng.integers(0, c, size=n).astype(np.int64)
    grad_outs, mix = _calls(rng, None, kind, upstream=lambda rng, _: _loss_upstream(rng))
    family = "stability" if extreme else "single_row" if n == 1 else "batch"
    return Case((logits, labels), grad_outs, mix, family)


# --------------------------------------------------------------------------- embedding

@st.composite
def embedding(draw, layout, kind="gradient"):
    vocab, dim = draw(st.integers(1, 8)), draw(st.integers(1, 4))
    if layout == "repeated":
        vocab = max(vocab, 2)
    rng = _rng(draw)
    if layout == "unique":
        indices = rng.permutation(vocab)[: draw(st.integers(1, vocab))]
    elif layout == "repeated":
        # k < V rows used (so at least one row is never looked up), n > k lookups (so at
        # least one row repeats, by pigeonhole).
        used = rng.permutation(vocab)[: draw(st.integers(1, vocab - 1))]
        n = draw(st.integers(len(used) + 1, 12))
        indices = np.concatenate([used, rng.choice(used, size=n - len(used))])
        indices = rng.permutation(indices)
    else:  # multi-dimensional index array, repeats by chance
        shape = draw(array_shapes(min_dims=2, max_dims=3, max_side=4))
        indices = rng.integers(0, vocab, size=shape)
    indices = np.asarray(indices, dtype=np.int64)
    weight = _normal(rng, (vocab, dim))
    grad_outs, mix = _calls(rng, indices.shape + (dim,), kind)
    family = {"unique": "unique_indices", "repeated": "repeated_indices"}.get(layout, "multi_dim_indices")
    return Case((weight, indices), grad_outs, mix, family)
