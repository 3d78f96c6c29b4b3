"""A diagnosis is a hypothesis that reproduces the student's numbers.

A `Hypothesis` declares one mistake: its stable id (the misconception, e.g. ``swapped_operands``),
a function that computes the *wrong* gradient the mistake would produce from the failure's
inputs and ``grad_out`` (or None where it does not apply), and the sentence that names it. It
is given only if the prediction equals what the student returned on the failing example, on
every gradient position it speaks for, and also on the other failing examples of the property.
"""

from dataclasses import dataclass
from typing import Callable

from .failure import Failure


@dataclass(frozen=True)
class Diagnosis:
    """mistake: a snake_case id, "" when no cause is given; sentence: the cause, or plain facts."""

    mistake: str = ""
    sentence: str = ""

    def __bool__(self):
        return bool(self.sentence)


@dataclass(frozen=True)
class Hypothesis:
    mistake: str
    predict: Callable   # Failure -> the gradient the mistake gives at failure.position (ndarray, even if
    #                     it happens to be the right one there), or None where the mistake does not apply
    say: Callable       # Failure -> the sentence (only called when the hypothesis fits)
    every_position: bool = False  # the mistake also predicts the op's other float gradients
    family: str = ""    # mistakes that count as one across examples (e.g. one wrong reduction), else the id

    @property
    def kin(self) -> str:
        return self.family or self.mistake


def fits(hypothesis: Hypothesis, failure: Failure) -> bool:
    """Applied to this example, the mistake reproduces the student's gradient (not the right one)."""
    if not failure.matches(hypothesis.predict(failure)):
        return False
    if not hypothesis.every_position:
        return True
    for position in range(len(failure.op.inputs)):
        if position == failure.position or not failure.op.is_float_input(position):
            continue
        other = failure.at(position)
        predicted = hypothesis.predict(other)
        if other.got is None or predicted is None or not other.close(other.got, predicted):
            return False
    return True


def first_reproduced(hypotheses, failure: Failure, others=()) -> Diagnosis | None:
    """The first hypothesis that fits the failure, provided every other failure given is fitted by
    a hypothesis of the same mistake or family (one mistake shows as a transpose on a square example and as
    a reshape on a rectangular one), as a Diagnosis."""
    hypotheses = tuple(hypotheses)
    for hypothesis in hypotheses:
        if not fits(hypothesis, failure):
            continue
        same = [h for h in hypotheses if h.kin == hypothesis.kin]
        if all(any(fits(h, other) for h in same) for other in others):
            return Diagnosis(hypothesis.mistake, hypothesis.say(failure))
    return None
