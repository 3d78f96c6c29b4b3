"""Wrong values (and wrong shapes): the first declared mistake that reproduces them, else the facts.

Order: state and mutation first (they explain any op's numbers), then gradients in the wrong
order, then the op's own mistakes, then re-laid values, constant factors and all zeros.
"""

import numpy as np

from . import elementwise
from . import embedding
from . import layout
from . import matmul
from . import sigmoid
from . import softmax_ce
from . import state
from .factors import GENERIC, LAST
from .facts import value_facts
from .mistakes import Diagnosis, first_reproduced

# The op-specific declarations (a later change moves them into each op's module).
_OWN = {"mul": elementwise, "add": elementwise, "max": elementwise, "sigmoid": sigmoid, "matmul": matmul,
        "softmax_ce": softmax_ce, "embedding": embedding}


def hypotheses(op):
    own = _OWN.get(op.key)
    return (state.HYPOTHESES + layout.BEFORE + getattr(own, "HYPOTHESES", ()) + layout.AFTER + GENERIC
            + getattr(own, "FACTORS", ()) + LAST + layout.ZEROS)


def diagnose_values(f, others=()) -> Diagnosis:
    """A wrong gradient (kind values or shape): a reproduced mistake, else the facts, else nothing."""
    got, expected = f.got, f.expected
    if got is None or expected is None or not f.op.is_float_input(f.position):
        return Diagnosis()
    if got.shape == expected.shape and f.close(got, expected):
        return Diagnosis()  # nothing wrong with this one: never claim a mistake on a right answer
    found = first_reproduced(hypotheses(f.op), f, others)
    if found:
        return found
    return Diagnosis("", value_facts(f, f.verdict.tolerance)) if f.verdict.kind == "values" else Diagnosis()


def diagnose_ties(f, others=()) -> Diagnosis:
    """Max, ties family: a value mistake away from the ties first (ignored grad_out, ...), then the split."""
    for position in (0, 1):
        here = f.at(position)
        if here.got is None or here.expected is None or (here.got.shape == here.expected.shape
                                                          and here.close(here.got, here.expected)):
            continue
        found = first_reproduced(hypotheses(f.op), here, [o.at(position) for o in others])
        if found:
            return found
    return elementwise.tie_diagnosis(f)


def diagnose_nonfinite(f, others=()) -> Diagnosis:
    got = f.got
    if got is None or np.isfinite(got).all():
        return Diagnosis()
    bad = ~np.isfinite(got)
    where = np.unravel_index(int(np.argmax(bad)), got.shape) if got.shape else ()
    what = "nan" if np.isnan(got[where]) else "inf"
    if f.op.key == "sigmoid":
        return sigmoid.nonfinite(f, what, where)
    if f.op.key == "softmax_ce":
        return softmax_ce.nonfinite(f, what)
    return Diagnosis()
