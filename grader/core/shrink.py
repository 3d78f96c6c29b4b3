"""Shrink a failing property to its smallest failing example, with live Hypothesis.

Runs the property's strategy from the same seed, now with ``Phase.shrink``, and fails only on
the *same kind* of mistake the bank found, so the minimal example still shows that mistake (a
shrinker left free would wander from "wrong values" to whatever else fails on a tiny input).
When the bank's example showed the mistake in non-degenerate values, a shrunk example must too:
``indices.T @ grad_out`` gives all zeros for ``indices = [0]``, which hides what went wrong.
Ill-posed examples are rejected: a shrinker moves values towards 0 and towards each other, into
kinks, where the oracle no longer agrees with itself. If nothing reproduces (a student's code
that is not deterministic), the bank's own failing example is kept.
"""

from hypothesis import given, reject, seed
from hypothesis.errors import HypothesisException

from .bank import blind_to_loaded_source, hypothesis_settings
from .diagnoses import Failing
from .diagnoses.failure import degenerate
from .judge import judge


class _SameMistake(Exception):
    pass


def shrink_failure(prop, op, oracle, runner, rubric, kind: str, telling: bool = False):
    """The Failing of the smallest example failing with `kind` (and, if `telling`, with
    non-degenerate values), or None."""
    found = []

    @hypothesis_settings(rubric.examples_per_property, shrink=True)
    @seed(rubric.seed_for(prop))
    @given(prop.strategy)
    def replay(case):
        expected = oracle.expect(op, case)
        if prop.check != "ties" and not oracle.well_posed(op, case, expected):
            reject()
        outcome = runner.run(op, [case])[0]
        verdict = judge(prop, op, case, expected, outcome, oracle)
        if not verdict.passed and verdict.kind == kind and not (telling and degenerate(verdict)):
            found.append(Failing(case, verdict, expected, outcome, oracle))
            raise _SameMistake

    try:
        with blind_to_loaded_source():
            replay()
    except _SameMistake:
        return found[-1]  # Hypothesis replays the minimal example last
    except (HypothesisException, ExceptionGroup):  # Flaky: the student's code is not deterministic
        return found[-1] if found else None
    return None
