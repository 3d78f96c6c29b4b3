"""The example bank: every property's examples, drawn once, checked once, then looped over.

Hypothesis draws ``examples_per_property`` cases per property from a seed the rubric fixes
(``database=None``, no deadline), so every submission is graded on exactly the same examples.
Each example's expected gradients come from the oracle; examples the oracle calls ill-posed
(FD and reference disagree) are dropped after drawing, not redrawn, so the public tests (which
have no reference to cross-check) see the same sequence. Grading a submission is then a plain
loop: about 50x cheaper than running Hypothesis per student (measured for 7 ops x 50 examples:
0.88 ms per example with live Hypothesis, 0.016 ms from the bank).
Live Hypothesis only runs again to shrink a failure (shrink.py). Hypothesis is imported only
when examples are drawn: a bank filled from its file (`Bank.store`) never imports it.
"""

import contextlib
from dataclasses import dataclass


def hypothesis_settings(max_examples: int, shrink: bool = False):
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    phases = (Phase.explicit, Phase.generate) + ((Phase.shrink,) if shrink else ())
    return settings(max_examples=max_examples, database=None, deadline=None, phases=phases,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                    derandomize=False, print_blob=False, verbosity=Verbosity.quiet)


@contextlib.contextmanager
def blind_to_loaded_source():
    """Hypothesis draws nothing from the source code of the modules loaded while it runs.

    Hypothesis (since 6.131) sometimes draws a literal it finds in a loaded module of the local
    project (hypothesis/internal/conjecture/providers.py, ``_get_local_constants``). Which modules
    are loaded differs between `grader grade`, a batch's grading process, nbgrader's kernel and a
    student's pytest (the student's own file among them), so examples drawn from one seed came
    out different (a batch's bank and `grade`'s differed in 13 of 34 properties). With an empty
    local pool, Hypothesis's own constants stay and the examples depend on the seed alone.
    """
    try:
        from hypothesis.internal.conjecture import providers
        original, cache = providers._get_local_constants, providers.CONSTANTS_CACHE
    except (ImportError, AttributeError):  # a Hypothesis without local constants: nothing to hide
        yield
        return
    empty = providers.Constants()
    cache.cache.clear()  # entries computed with the loaded modules' constants
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


def draw_cases(prop, rubric) -> list:
    """The property's cases, in Hypothesis's (deterministic) generation order."""
    from hypothesis import given, seed

    cases = []

    @hypothesis_settings(rubric.examples_per_property)
    @seed(rubric.seed_for(prop))
    @given(prop.strategy)
    def collect(case):
        cases.append(case)

    with blind_to_loaded_source():
        collect()
    return cases


@dataclass(frozen=True)
class Example:
    case: object
    expected: object


class Bank:
    """Examples with their expected values, per property, built lazily and kept."""

    def __init__(self, oracle, rubric):
        self.oracle, self.rubric = oracle, rubric
        self._examples = {}
        self.dropped = {}  # property id -> number of ill-posed examples discarded

    def store(self, prop, examples: list, dropped: int = 0) -> None:
        """Fill one property from stored examples (bankfile.py), as `examples` would have."""
        if not examples:
            raise ValueError(f"property {prop.id}: a stored bank must hold examples")
        self._examples[prop.id], self.dropped[prop.id] = list(examples), dropped

    def examples(self, prop) -> list:
        if prop.id not in self._examples:
            op = self.rubric.contract[prop.op]
            kept, dropped = [], 0
            # The tie rule is judged without the oracle's gradients, and central differences
            # straddle every tie, so those examples skip the FD cross-check.
            cross_check = prop.check != "ties"
            for case in draw_cases(prop, self.rubric):
                expected = self.oracle.expect(op, case)
                if not cross_check or self.oracle.well_posed(op, case, expected):
                    kept.append(Example(case, expected))
                else:
                    dropped += 1
            if not kept:  # a property must never pass for want of examples
                raise RuntimeError(f"property {prop.id} has no well-posed example; check its strategy")
            self.store(prop, kept, dropped)
        return self._examples[prop.id]
