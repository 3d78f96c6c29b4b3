"""Diagnoses: a sentence naming the mistake behind a failed check, given only when it is proven.

``diagnose(op, failing, others=())`` works from numbers only, never from the student's source:
the verdict's kind, the gradients the student returned in the failing call and the oracle's,
the case's inputs and ``grad_out``, and (when the grader passes them) the oracle's gradients of
every call and the inputs as backward left them.

Each detector is a declared hypothesis (mistakes.py): a stable id, the *wrong* gradient the
mistake would produce, and the sentence. A cause is given only when its predicted gradient
equals the student's on the failing example, on every position it speaks for, and on the other
failing examples of the property (`others`, same kind and position). Otherwise the diagnosis is
the plain facts (which gradient, where, by how much) with ``mistake == ""``: a wrong cause
teaches the wrong lesson. Structural kinds (arity, None, dtype, mutation, a second call that
differs) are facts the judge established, so they reproduce by definition.

It never raises (any internal error gives an empty Diagnosis) and takes about a millisecond
on the kit's example sizes, so it runs on every failed property, public tests and grader alike.
"""

import numpy as np

from . import structural
from .failure import Failing, Failure
from .mistakes import Diagnosis, Hypothesis
from .values import diagnose_nonfinite, diagnose_ties, diagnose_values

__all__ = ["Diagnosis", "Failing", "Hypothesis", "diagnose"]

_BY_KIND = {
    "values": diagnose_values, "shape": diagnose_values, "ties": diagnose_ties, "nonfinite": diagnose_nonfinite,
    "type": structural.returned_type, "arity": structural.arity, "integer_grad": structural.integer_grad,
    "dtype": structural.dtype, "mutation": structural.mutation, "stateful": structural.stateful,
    "zero_upstream": structural.zero_upstream, "linearity": structural.linearity, "error": structural.error,
}


def diagnose(op, failing: Failing, others=()) -> Diagnosis:
    """The Diagnosis of one failed example; `others`: more failing examples of the same property."""
    try:
        handler = _BY_KIND.get(failing.verdict.kind)
        if handler is None:
            return Diagnosis()
        with np.errstate(all="ignore"):
            failure = Failure(op, failing)
            position = failure.position
            more = [Failure(op, other, position) for other in others
                    if other.verdict.kind == failing.verdict.kind and other.verdict.position == position]
            found = handler(failure, more)
        ok = isinstance(found, Diagnosis) and isinstance(found.mistake, str) and isinstance(found.sentence, str)
        return found if ok else Diagnosis()
    except Exception:  # noqa: BLE001 - a diagnosis is a hint; it must never break grading
        return Diagnosis()
