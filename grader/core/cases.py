"""Property families: what each op is tested on, declared as data.

Hypothesis draws the *structure* of an example (shapes, N/C/V, orientation, a 32-bit seed);
NumPy's ``default_rng(seed)`` draws the values. Generic random values have no ties, no constant
or symmetric arrays, so swapped operands and missing transposes cannot hide, and shrinking a
failure shrinks shapes and the seed, never into subnormals or float extremes
(naive ``floats(-10, 10)`` elements gave an exact tie in 35% of 500 ``max`` examples and a value
exactly ±10 or 0 in 58%).

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

This module only declares the families; their Hypothesis strategies live in strategies.py, built
on first use of `Property.strategy`, so grading from a stored bank never imports Hypothesis.

The public tests students run and the hidden grader use these same properties, seeds and
ranges, and one rule for a correct answer (oracles.py), so passing every public test means full
marks.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

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
    make_strategy: Callable = field(repr=False, compare=False)  # () -> the Hypothesis strategy
    check: str = "gradient"        # gradient | ties | upstream | no_mutation

    @property
    def id(self) -> str:
        return f"{self.op}.{self.name}"

    @cached_property
    def strategy(self):
        """The Hypothesis strategy drawing this family's Cases, built once, on first use."""
        return self.make_strategy()


def _drawn(build) -> Callable:
    """A zero-argument strategy factory: ``build(strategies)``, importing Hypothesis only when called."""
    def make():
        from . import strategies

        return build(strategies)
    return make


def _elementwise(op, gap=0.0, extra=()):
    def family(name, kind="gradient"):
        return _drawn(lambda s: s.elementwise(name, kind, gap=gap))
    return [
        Property(op, "same_shape", "inputs of the same shape", family("same_shape")),
        Property(op, "broadcast", "inputs of different shapes that broadcast (missing leading axes, size-1 axes)",
                 family("broadcast")),
        Property(op, "scalar", "one or both inputs 0-d", family("scalar")),
        *extra,
        Property(op, "upstream", UPSTREAM_DOC, family("same_shape", "upstream"), "upstream"),
        Property(op, "no_mutation", NO_MUTATION_DOC, family(None, "no_mutation"), "no_mutation"),
    ]




# --------------------------------------------------------------------------- the table

UPSTREAM_DOC = "grad_out = 0 gives zeros; the gradient is linear in grad_out"
NO_MUTATION_DOC = "inputs and grad_out unchanged; calling backward twice agrees"

PROPERTIES = {
    "mul": _elementwise("mul"),
    "add": _elementwise("add"),
    "max": _elementwise("max", gap=MAX_GAP, extra=[
        Property("max", "ties", "exact ties a == b: any split of grad_out with shares in [0, 1] summing to 1;"
                 " a != b, however close, is no tie", _drawn(lambda s: s.ties()), "ties"),
    ]),
    "sigmoid": [
        Property("sigmoid", "values", "inputs in [-8, 8], any shape including 0-d", _drawn(lambda s: s.sigmoid())),
        Property("sigmoid", "stability", "inputs as large as +-1000: no overflow, no NaN",
                 _drawn(lambda s: s.sigmoid(extreme=True))),
        Property("sigmoid", "upstream", UPSTREAM_DOC, _drawn(lambda s: s.sigmoid("upstream")), "upstream"),
        Property("sigmoid", "no_mutation", NO_MUTATION_DOC,
                 _drawn(lambda s: s.st.one_of(s.sigmoid("no_mutation"), s.sigmoid("no_mutation", extreme=True))),
                 "no_mutation"),
    ],
    "matmul": [
        Property("matmul", "rectangular", "a (m, n) @ b (n, p) with sides from 1 to 6",
                 _drawn(lambda s: s.matmul(s.matmul_shapes, "rectangular"))),
        Property("matmul", "square", "square matrices: a missing transpose cannot hide behind the shape",
                 _drawn(lambda s: s.matmul(s.square_shapes, "square"))),
        Property("matmul", "upstream", UPSTREAM_DOC,
                 _drawn(lambda s: s.matmul(s.matmul_shapes, "rectangular", "upstream")), "upstream"),
        Property("matmul", "no_mutation", NO_MUTATION_DOC,
                 _drawn(lambda s: s.st.one_of(s.matmul(s.matmul_shapes, "rectangular", "no_mutation"),
                                              s.matmul(s.square_shapes, "square", "no_mutation"))), "no_mutation"),
    ],
    "softmax_ce": [
        Property("softmax_ce", "single_row", "N = 1 row", _drawn(lambda s: s.softmax_ce(s.st.just(1)))),
        Property("softmax_ce", "batch", "N >= 2 rows: the loss is a mean over rows",
                 _drawn(lambda s: s.softmax_ce(s.st.integers(2, 8)))),
        Property("softmax_ce", "stability", "logits as large as +-1000: no overflow, no NaN",
                 _drawn(lambda s: s.softmax_ce(s.st.integers(1, 6), extreme=True))),
        Property("softmax_ce", "upstream", UPSTREAM_DOC, _drawn(lambda s: s.softmax_ce(s.st.just(1), "upstream")),
                 "upstream"),
        Property("softmax_ce", "no_mutation", NO_MUTATION_DOC,
                 _drawn(lambda s: s.st.one_of(s.softmax_ce(s.st.integers(1, 8), "no_mutation"),
                                              s.softmax_ce(s.st.integers(1, 6), "no_mutation", extreme=True))),
                 "no_mutation"),
    ],
    "embedding": [
        Property("embedding", "unique_indices", "each row looked up at most once", _drawn(lambda s: s.embedding("unique"))),
        Property("embedding", "repeated_indices", "rows looked up several times, and rows never looked up",
                 _drawn(lambda s: s.embedding("repeated"))),
        Property("embedding", "multi_dim_indices", "index arrays of shape (B, T) or (B, T, K)",
                 _drawn(lambda s: s.embedding("multi"))),
        Property("embedding", "upstream", UPSTREAM_DOC, _drawn(lambda s: s.embedding("unique", "upstream")),
                 "upstream"),
        Property("embedding", "no_mutation", NO_MUTATION_DOC,
                 _drawn(lambda s: s.st.one_of(*(s.embedding(layout, "no_mutation")
                                                for layout in ("unique", "repeated", "multi")))), "no_mutation"),
    ],
}

assert set(PROPERTIES) == set(OP_BY_KEY), "every op of the contract needs its properties"
PROPERTY_BY_ID = {prop.id: prop for props in PROPERTIES.values() for prop in props}
BASE_FAMILY = {op: props[0].name for op, props in PROPERTIES.items()}  # each op's simplest inputs
