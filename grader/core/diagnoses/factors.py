"""A constant factor: the student's gradient is c times the right one, for a c worth a name.

Each op declares its named factors as (mistake, value, sentence), with the value computed from
the example (1/N, grad_out, the number of broadcast copies, ...); the prediction is value times
the right gradient. An unnamed factor is evidence only when several independent entries agree.
"""

import numpy as np

from .failure import ATOL, RTOL, maxabs
from .mistakes import Hypothesis
from ...i18n import _

FACTOR_RTOL = 1e-5  # how exactly a fitted constant factor must equal a named value


def _fitted(f):
    """c with got == c * expected (ties masked out), or None."""
    got, expected = f.got, f.expected
    if got is None or expected is None or got.shape != expected.shape:
        return None
    e, g = expected.ravel(), got.ravel()
    if f.keep is not None and f.keep.shape == expected.shape:
        e, g = e[f.keep.ravel()], g[f.keep.ravel()]
    norm = float(e @ e)
    if norm <= ATOL ** 2:
        return None
    factor = float(g @ e) / norm
    return factor if abs(factor) > 1e-9 and abs(factor - 1.0) > 1e-6 else None


def _scaled(f, value):
    if value is None or f.expected is None:
        return None
    factor = _fitted(f)
    if factor is None or abs(factor - value) > FACTOR_RTOL * abs(value):
        return None
    return value * f.expected


def named(mistake, value, say):
    """A named factor: value(f) -> float or None (not applicable to this example)."""
    return Hypothesis(mistake, lambda f: _scaled(f, value(f)), say)


def _unnamed(f):
    factor = _fitted(f)
    e = f.expected
    if factor is None or int((np.abs(e) > RTOL * maxabs(e) + ATOL).sum()) < 3:
        return None
    return factor * e


GENERIC = (
    named("sign_flipped", lambda f: -1.0, lambda f: (
        _("{name} has the wrong sign everywhere (it is -1 times the right gradient): check the sign of the "
          "local derivative").format(name=f.name))),
)

LAST = (
    named("doubled", lambda f: 2.0, lambda f: (
        _("{name} is 2 times the right gradient: a contribution is counted twice").format(name=f.name))),
    named("halved", lambda f: 0.5, lambda f: (_("{name} is half the right gradient: a factor of 2 is missing")
                                              .format(name=f.name))),
    Hypothesis("constant_factor", _unnamed, lambda f: (
        (_("{name} is {fitted:.4g} times the right gradient everywhere: a constant factor is off")
         .format(name=f.name, fitted=_fitted(f))))),
)
