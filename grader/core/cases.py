"""Property families: what each op is tested on, declared as data.

Hypothesis draws the *structure* of an example (shapes, sizes, a 32-bit seed); NumPy's
``default_rng(seed)`` draws the values. Generic random values have no ties, no constant or
symmetric arrays, so swapped operands and missing transposes cannot hide, and shrinking a
failure shrinks shapes and the seed, never into subnormals or float extremes.

One `Property` = one named, separately scored family. `check` says how the judge reads an
example (see judge.py):

* ``gradient``    compare every returned gradient with the oracle's;
* ``ties``        two inputs at exact ties: any split of ``grad_out`` with shares in [0, 1]
                  summing to 1; off ties, near ones included, all of it to the winning input;
* ``upstream``    backward called with ``0, d1, d2, α·d1 + β·d2, d1``: zeros, then linearity, then
                  values. The fifth call repeats the second: if it differs, backward keeps state
                  between calls (no_mutation's to judge), so only the first call, fresh after
                  forward, is judged (zeros for grad_out = 0);
* ``no_mutation`` backward called twice with the same ``d``: inputs and ``grad_out`` untouched
                  and both calls agree; values only on the op's base family (below).

Every `Case` names the family it was drawn from. An op's first property is its *base family*,
its simplest inputs. ``upstream`` draws only base-family examples. ``no_mutation`` draws from
*every* family of its op (``grad_out /= N`` changes nothing when N = 1, and state that goes wrong
only on a second call with broadcast shapes must still be caught), but it judges what a first
call returned (raised, its shape, its values) only on base-family examples: elsewhere a mistake
of that family would show there first. So a mistake that shows only on a harder family costs
that family's points, and not these as well; a mistake on the base family costs them all (an
empty ``backward`` earns nothing).

The families themselves are declared by each op (``OpSpec.properties``); their Hypothesis
strategies are built on first use of `Property.strategy`, so grading from a stored bank never
imports Hypothesis.

The public tests students run and the hidden grader use these same properties, seeds and
ranges, and one rule for a correct answer (oracles.py), so passing every public test means full
marks.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

from ..i18n import N_


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


UPSTREAM_DOC = N_("grad_out = 0 gives zeros; the gradient is linear in grad_out")
NO_MUTATION_DOC = N_("inputs and grad_out unchanged; calling backward twice agrees")
