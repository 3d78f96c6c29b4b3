"""The trusted grading context: the oracle, the rubric and the example bank, built in one place.

Every path that grades (``grader grade`` and ``check``, ``grader batch`` and its grading
processes, the platform adapters, nbgrader, the public pytest tests) asks this module for its
context instead of assembling one. A grade then runs one way:

1. draw the examples and their expected values (bank.py: Hypothesis, the oracle, the
   finite-difference cross-check),
2. store them in a bank file or load them from one (bankfile.py: the format and its key),
3. grade a submission with them (grade.py).

Where the bank comes from is the one choice a caller makes, by the bank file's path and what to
do when that file is missing or stale (`stale`):

- no path: drawn in memory, property by property, as they are graded;
- ``CACHE``: loaded if current, otherwise drawn whole and saved there (a batch, a user's cache);
- ``SHIPPED``: loaded if current, otherwise drawn for this run, saying so in one line on stderr
  (a platform image: its file is never rewritten at grading time);
- ``REQUIRED``: loaded, or `RuntimeError` (a batch's grading process: the parent drew it).

The public checks' bank has its own order, shipped, cached, drawn (public_bank.py).

The hidden oracle is the reference solutions (``solutions/``), the public one finite
differences of the given forward: only the instructor's side may build a hidden context.
"""

import sys
from dataclasses import dataclass

from .bank import Bank
from .bankfile import bank_key, build_bank, load_bank, save_bank
from .grade import Report, check_property, grade, grade_op
from .public_bank import public_bank
from .rubric import Rubric
from ..i18n import _

CACHE, SHIPPED, REQUIRED = "cache", "shipped", "required"


def hidden_oracle(reference):
    """The Reference oracle of a course's reference classes (`Course.reference()`), loaded in this
    (trusted) process and never in a student's."""
    from .oracles import Reference

    return Reference(reference)


def public_oracle(given):
    """The Numeric oracle: central differences of the course's given forwards (`Course.given()`)."""
    from .oracles import Numeric

    return Numeric(given)


def stored_bank(oracle, rubric, path, stale: str = CACHE, jobs: int = 1, key: str = "") -> Bank:
    """The bank at `path` if it is the one this oracle and rubric draw; otherwise as `stale` says."""
    key = key or bank_key(oracle, rubric)
    bank = load_bank(path, oracle, rubric, key)
    if bank is not None:
        return bank
    if stale == REQUIRED:
        raise RuntimeError(_("the bank file {path} is missing or stale").format(path=path))
    if stale == SHIPPED:
        print(_("grader: {path} is missing, unreadable or not drawn for this rubric, reference and library "
                "versions; drawing the example bank for this run (a few seconds; `grader bank {path}` "
                "prepares it once)").format(path=path), file=sys.stderr)
    bank = build_bank(oracle, rubric, key, jobs)
    if stale == CACHE:
        save_bank(bank, path, key)
    return bank


@dataclass(frozen=True)
class GradingContext:
    """What every grade needs and no student process may touch: oracle, rubric, examples."""

    oracle: object
    rubric: Rubric
    bank: Bank
    bank_path: str = ""   # the bank's file, "" when it lives in memory only

    @classmethod
    def build(cls, oracle, rubric=None, bank_path=None, stale: str = CACHE, jobs: int = 1, bank: Bank = None):
        """The context of `oracle` and `rubric` (a Rubric, a rubric file, or None for the kit's),
        with the bank from `bank_path` as `stale` says, or `bank` if given, or one drawn in memory."""
        if not isinstance(rubric, Rubric):
            raise TypeError("GradingContext.build needs a Rubric (Course.rubric(path) makes one)")
        if bank is None:
            bank = Bank(oracle, rubric) if bank_path is None else stored_bank(oracle, rubric, bank_path, stale, jobs)
        return cls(oracle, rubric, bank, "" if bank_path is None else str(bank_path))

    @classmethod
    def hidden(cls, course, rubric, bank_path=None, stale: str = CACHE, jobs: int = 1):
        """Grading a course (grader.ops.registry.Course) against its reference classes, with
        `rubric` (a Rubric of that course): the instructor's side only."""
        return cls.build(hidden_oracle(course.reference()), rubric, bank_path, stale, jobs)

    @classmethod
    def public(cls, course, rubric):
        """The public checks of a course: finite differences of its given forwards, with the bank
        the release ships, else the user's cached one, else one drawn (public_bank.py), else
        examples drawn in memory as they are checked."""
        oracle = public_oracle(course.given())
        return cls.build(oracle, rubric, bank=public_bank(oracle, rubric))

    @property
    def key(self) -> str:
        """The bank key of this oracle and rubric (bankfile.bank_key)."""
        return bank_key(self.oracle, self.rubric)

    def grade(self, submission_name: str, runner, shrink: bool = True) -> Report:
        return grade(submission_name, runner, self.oracle, self.rubric, self.bank, shrink)

    def grade_op(self, op, runner, shrink: bool = True):
        return grade_op(op, runner, self.oracle, self.rubric, self.bank, shrink)

    def check_property(self, prop, op, runner, shrink: bool = True):
        return check_property(prop, op, runner, self.oracle, self.rubric, self.bank, shrink)
