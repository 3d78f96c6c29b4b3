"""Property families: what each op is tested on, declared as data.

Hypothesis draws the *structure* of an example (shapes, N/C/V, orientation, a 32-bit seed);
NumPy's ``default_rng(seed)`` draws the values. Generic random values have no ties, no constant
or symmetric arrays, so swapped operands and missing transposes cannot hide, and shrinking a
failure shrinks shapes and the seed, never into subnormals or float extremes
(research/gradcheck.md §5.2, §7.8).

One `Property` = one named, separately scored family. `check` says how the judge reads an
example (see judge.py):

* ``gradient``    compare every returned gradient with the oracle's;
* ``ties``        max at exact ties: any split of ``grad_out`` with shares in [0, 1] summing to 1;
                  off ties, near ones included, all of it to the larger input;
* ``upstream``    backward called with ``0, d1, d2, α·d1 + β·d2, d1``: zeros, then linearity, then
                  values. The fifth call repeats the second: if it differs, backward keeps state
                  between calls (no_mutation's to judge), so only the first call, fresh after
                  forward, is judged (zeros for grad_out = 0);
* ``no_mutation`` backward called twice with the same ``d``: inputs and ``grad_out`` untouched
                  and both calls agree; values only on the op's base family (below).

Every `Case` names the family it was drawn from. An op's first property is its *base family*,
its simplest inputs (same shapes, x in [-8, 8], any (m, n) @ (n, p), one row, unique indices).
``upstream`` draws only base-family examples. ``no_mutation`` draws from *every* family of its op
(``grad_out /= N`` changes nothing when N = 1, and state that goes wrong only on a second call
with broadcast shapes must still be caught), but it judges what a first call returned (raised,
its shape, its values) only on base-family examples: elsewhere a mistake of that family would
show there first. So a mistake that shows only on a harder family costs that family's points,
and not these as well; a mistake on the base family costs them all (an empty ``backward`` earns
nothing).

The public tests students run and the hidden grader use these same properties, seeds and
ranges, and one rule for a correct answer (oracles.py), so passing every public test means full
marks.
"""

from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume, strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

from .contract import OP_BY_KEY

MAX_GAP = 1e-3  # |a - b| kept at least this far from a tie in max's non-tie families
NEAR_TIE = 3e-6  # relative |a - b| of a near tie: within np.isclose's default rtol, yet no tie


@dataclass(frozen=True, eq=False)
class Case:
    """One example: forward(*inputs), then backward(d) for each d in grad_outs, in order."""

    inputs: tuple
    grad_outs: tuple
    mix: tuple = ()  # (alpha, beta) for upstream cases: grad_outs[3] == alpha*d1 + beta*d2; [4] == d1
    family: str = ""  # the property family the example was drawn from (its op's property name)


@dataclass(frozen=True)
class Property:
    op: str
    name: str
    doc: str                       # one line, shown to students
    strategy: st.SearchStrategy = field(repr=False)
    check: str = "gradient"        # gradient | ties | upstream | no_mutation

    @property
    def id(self) -> str:
        return f"{self.op}.{self.name}"


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
_same_shapes = array_shapes(min_dims=1, max_dims=3, **_SIDE).map(lambda s: (s, s))
_broadcast_shapes = mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, **_SIDE).map(
    lambda b: b.input_shapes).filter(lambda shapes: shapes[0] != shapes[1])


@st.composite
def _scalar_shapes(draw):
    other = draw(array_shapes(min_dims=0, max_dims=3, **_SIDE))
    return ((), other) if draw(st.booleans()) else (other, ())


@st.composite
def _binary(draw, shapes, family, kind="gradient", gap=0.0):
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
def _ties(draw):
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


def _elementwise(op, gap=0.0, extra=()):
    families = {"same_shape": _same_shapes, "broadcast": _broadcast_shapes, "scalar": _scalar_shapes()}
    return [
        Property(op, "same_shape", "inputs of the same shape", _binary(_same_shapes, "same_shape", gap=gap)),
        Property(op, "broadcast", "inputs of different shapes that broadcast (missing leading axes, size-1 axes)",
                 _binary(_broadcast_shapes, "broadcast", gap=gap)),
        Property(op, "scalar", "one or both inputs 0-d", _binary(_scalar_shapes(), "scalar", gap=gap)),
        *extra,
        Property(op, "upstream", UPSTREAM_DOC, _binary(_same_shapes, "same_shape", "upstream", gap=gap), "upstream"),
        Property(op, "no_mutation", NO_MUTATION_DOC,
                 st.one_of(*(_binary(shapes, family, "no_mutation", gap=gap) for family, shapes in families.items())),
                 "no_mutation"),
    ]


# --------------------------------------------------------------------------- sigmoid

@st.composite
def _sigmoid(draw, kind="gradient", extreme=False):
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

_matmul_shapes = mutually_broadcastable_shapes(
    signature="(m,n),(n,p)->(m,p)", max_dims=0, min_side=1, max_side=6).map(lambda b: b.input_shapes)
_square_shapes = st.integers(2, 6).map(lambda n: ((n, n), (n, n)))


@st.composite
def _matmul(draw, shapes, family, kind="gradient"):
    shape_a, shape_b = draw(shapes)
    rng = _rng(draw)
    a, b = _normal(rng, shape_a), _normal(rng, shape_b)
    grad_outs, mix = _calls(rng, (shape_a[0], shape_b[1]), kind)
    return Case((a, b), grad_outs, mix, family)


# --------------------------------------------------------------------------- softmax cross-entropy

@st.composite
def _softmax_ce(draw, rows, kind="gradient", extreme=False):
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
def _embedding(draw, layout, kind="gradient"):
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


# --------------------------------------------------------------------------- the table

UPSTREAM_DOC = "grad_out = 0 gives zeros; the gradient is linear in grad_out"
NO_MUTATION_DOC = "inputs and grad_out unchanged; calling backward twice agrees"

PROPERTIES = {
    "mul": _elementwise("mul"),
    "add": _elementwise("add"),
    "max": _elementwise("max", gap=MAX_GAP, extra=[
        Property("max", "ties", "exact ties a == b: any split of grad_out with shares in [0, 1] summing to 1;"
                 " a != b, however close, is no tie", _ties(), "ties"),
    ]),
    "sigmoid": [
        Property("sigmoid", "values", "inputs in [-8, 8], any shape including 0-d", _sigmoid()),
        Property("sigmoid", "stability", "inputs as large as +-1000: no overflow, no NaN", _sigmoid(extreme=True)),
        Property("sigmoid", "upstream", UPSTREAM_DOC, _sigmoid("upstream"), "upstream"),
        Property("sigmoid", "no_mutation", NO_MUTATION_DOC,
                 st.one_of(_sigmoid("no_mutation"), _sigmoid("no_mutation", extreme=True)), "no_mutation"),
    ],
    "matmul": [
        Property("matmul", "rectangular", "a (m, n) @ b (n, p) with sides from 1 to 6",
                 _matmul(_matmul_shapes, "rectangular")),
        Property("matmul", "square", "square matrices: a missing transpose cannot hide behind the shape",
                 _matmul(_square_shapes, "square")),
        Property("matmul", "upstream", UPSTREAM_DOC, _matmul(_matmul_shapes, "rectangular", "upstream"), "upstream"),
        Property("matmul", "no_mutation", NO_MUTATION_DOC,
                 st.one_of(_matmul(_matmul_shapes, "rectangular", "no_mutation"),
                           _matmul(_square_shapes, "square", "no_mutation")), "no_mutation"),
    ],
    "softmax_ce": [
        Property("softmax_ce", "single_row", "N = 1 row", _softmax_ce(st.just(1))),
        Property("softmax_ce", "batch", "N >= 2 rows: the loss is a mean over rows", _softmax_ce(st.integers(2, 8))),
        Property("softmax_ce", "stability", "logits as large as +-1000: no overflow, no NaN",
                 _softmax_ce(st.integers(1, 6), extreme=True)),
        Property("softmax_ce", "upstream", UPSTREAM_DOC, _softmax_ce(st.just(1), "upstream"), "upstream"),
        Property("softmax_ce", "no_mutation", NO_MUTATION_DOC,
                 st.one_of(_softmax_ce(st.integers(1, 8), "no_mutation"),
                           _softmax_ce(st.integers(1, 6), "no_mutation", extreme=True)), "no_mutation"),
    ],
    "embedding": [
        Property("embedding", "unique_indices", "each row looked up at most once", _embedding("unique")),
        Property("embedding", "repeated_indices", "rows looked up several times, and rows never looked up",
                 _embedding("repeated")),
        Property("embedding", "multi_dim_indices", "index arrays of shape (B, T) or (B, T, K)",
                 _embedding("multi")),
        Property("embedding", "upstream", UPSTREAM_DOC, _embedding("unique", "upstream"), "upstream"),
        Property("embedding", "no_mutation", NO_MUTATION_DOC,
                 st.one_of(*(_embedding(layout, "no_mutation") for layout in ("unique", "repeated", "multi"))),
                 "no_mutation"),
    ],
}

assert set(PROPERTIES) == set(OP_BY_KEY), "every op of the contract needs its properties"
PROPERTY_BY_ID = {prop.id: prop for props in PROPERTIES.values() for prop in props}
BASE_FAMILY = {op: props[0].name for op, props in PROPERTIES.items()}  # each op's simplest inputs
