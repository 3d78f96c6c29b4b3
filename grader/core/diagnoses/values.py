"""Wrong values (and wrong shapes): the first declared mistake that reproduces them, else the facts.

Order: state and mutation first (they explain any op's numbers), then gradients in the wrong
order, then the op's own mistakes (``OpSpec.hypotheses``), then re-laid values, constant factors
(the generic ones, then ``OpSpec.factors``) and all zeros.
"""

import numpy as np

from . import layout
from . import state
from .factors import GENERIC, LAST
from .facts import value_facts
from .mistakes import Diagnosis, first_reproduced

def hypotheses(op):
    return (state.HYPOTHESES + layout.BEFORE + tuple(op.hypotheses) + layout.AFTER + GENERIC
            + tuple(op.factors) + LAST + layout.ZEROS)


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
    """A ties family: a value mistake away from the ties first (ignored grad_out, ...), then the op's
    reading of the split at the ties (``OpSpec.ties``)."""
    for position in (0, 1):
        here = f.at(position)
        if here.got is None or here.expected is None or (here.got.shape == here.expected.shape
                                                          and here.close(here.got, here.expected)):
            continue
        found = first_reproduced(hypotheses(f.op), here, [o.at(position) for o in others])
        if found:
            return found
    return f.op.ties(f) if f.op.ties else Diagnosis()


def diagnose_nonfinite(f, others=()) -> Diagnosis:
    got = f.got
    if got is None or np.isfinite(got).all():
        return Diagnosis()
    bad = ~np.isfinite(got)
    where = np.unravel_index(int(np.argmax(bad)), got.shape) if got.shape else ()
    what = "nan" if np.isnan(got[where]) else "inf"
    return f.op.nonfinite(f, what, where) if f.op.nonfinite else Diagnosis()
