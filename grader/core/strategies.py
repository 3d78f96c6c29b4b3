"""The generic Hypothesis half of the property families: how an example's values and calls are drawn.

Imported only when examples are drawn (an op's strategy, built on first use): grading from a
stored bank never imports Hypothesis. Every strategy draws the *structure* of an example with
Hypothesis and its values from ``np.random.default_rng`` of a drawn 32-bit seed (cases.py says
why). The ops' own strategies (grader/ops/) are built from these helpers.
"""

import numpy as np
from hypothesis import strategies as st

from .cases import Case

__all__ = ["Case", "calls", "loss_upstream", "normal", "rng", "upstream"]


def rng(draw):
    """A NumPy generator seeded from a drawn 32-bit integer: Hypothesis shrinks the seed, not the values."""
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def normal(rng, shape, scale=1.0):
    # np.asarray keeps 0-d inputs as 0-d arrays, not NumPy scalars.
    return np.asarray(rng.normal(0.0, scale, size=shape), dtype=np.float64)


def upstream(rng, shape):
    """A random upstream gradient: never all ones (that hides an ignored grad_out)."""
    return normal(rng, shape)


def loss_upstream(rng):
    """A random 0-d upstream for a scalar loss, kept away from 1 so ignoring it is visible."""
    d = rng.uniform(0.25, 4.0) * rng.choice([-1.0, 1.0])
    if abs(d - 1.0) < 0.1:
        d += 0.5
    return np.asarray(d, dtype=np.float64)


def calls(rng, shape, kind, upstream=upstream):
    """The grad_outs of one example, and the mix for linearity, by property kind
    (gradient | ties: one call; upstream: five; no_mutation: two, the same)."""
    if kind == "upstream":
        d1, d2 = upstream(rng, shape), upstream(rng, shape)
        alpha, beta = (float(c) for c in rng.uniform(-2.0, 2.0, size=2))
        return (np.zeros_like(d1), d1, d2, np.asarray(alpha * d1 + beta * d2), d1.copy()), (alpha, beta)
    d = upstream(rng, shape)
    if kind == "no_mutation":
        return (d, d.copy()), ()
    return (d,), ()
