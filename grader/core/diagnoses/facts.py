"""Facts without a cause: which gradient differs, where, and by how much.

Given when no declared mistake reproduces the student's numbers: a guess would teach the wrong
lesson, the facts never do.
"""

import numpy as np

from .failure import index_text, maxabs
from ...i18n import _


def value_facts(failure, tolerance: float) -> str:
    """E.g. "grad_b differs from the expected gradient at 3 of 6 entries, by at most 0.82 ..."."""
    got, expected, name = failure.got, failure.expected, failure.name
    if got is None or expected is None:
        return ""
    if got.shape != expected.shape:
        return ((_("{name} has shape {tuple} but {source} has shape {tuple2}; no common mistake reproduces its "
                   "values")
                 .format(name=name, tuple=tuple(got.shape), source=failure.source, tuple2=tuple(expected.shape))))
    diff = np.abs(got - expected)
    beyond = diff > tolerance
    count = int(beyond.sum())
    if count == 0:
        return ""
    flat = int(np.argmax(diff))
    where = index_text(np.unravel_index(flat, diff.shape)) if diff.shape else "()"
    worst = float(diff.flat[flat])
    scale = maxabs(expected)
    relative = _(" ({worst:.2g} of the largest expected entry)").format(worst=worst / scale) if scale > 0 else ""
    below = int(((diff > 0) & ~beyond).sum())
    small = ((_("; {below} more differ by less than the tolerance {tolerance:.2g}")
              .format(below=below, tolerance=tolerance)) if below else "")
    return ((_("{name} differs from the expected gradient at {count} of {size} entries, by at most "
               "{worst:.3g}{relative} at index {where}{small}")
             .format(name=name, count=count, size=diff.size, worst=worst, relative=relative, where=where, small=small)))
