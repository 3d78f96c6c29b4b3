"""Grade one submission: run every graded property's examples, judge them, score them."""

from dataclasses import asdict, dataclass, field

import numpy as np

from .acceptance import judge_all
from .bank import Bank
from .diagnoses import Failing, diagnose
from .diagnoses.failure import degenerate
from .feedback import describe_failure
from .worker_text import localized
from ..i18n import _


@dataclass
class CheckResult:
    name: str
    points: float          # earned
    max_points: float
    passed: bool
    doc: str
    reason: str = ""       # one line, empty when passed
    feedback: str = ""     # reason + minimal example + got/expected
    kind: str = ""         # the judge's verdict kind, for diagnosis and statistics
    diagnosis: str = ""    # one sentence: the mistake that reproduces the numbers, else the facts, or ""
    examples: int = 0      # examples run
    mistake: str = ""      # the misconception's stable id (e.g. "swapped_operands"), "" when no cause is given


@dataclass
class OpScore:
    key: str
    score: float
    max_score: float
    checks: list = field(default_factory=list)


@dataclass
class Report:
    submission: str
    oracle: str
    score: float
    max_score: float
    ops: dict                  # key -> OpScore
    load_error: str = ""
    student_output: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["ops"] = {key: asdict(op) for key, op in self.ops.items()}
        return data


# A failing example whose every input has at most this many elements is shown as it is: Hypothesis
# would spend ~25 ms (and, in the sandbox, a round trip per step) to make it at most a little smaller.
SMALL_EXAMPLE = 4
# How many more failing examples (same kind, same gradient) a diagnosis must also reproduce.
MORE_FAILURES = 4


def _size(case) -> tuple:
    """How big an example reads: its largest input, then all its inputs, in elements."""
    sizes = [int(np.size(x)) for x in case.inputs]
    return max(sizes, default=0), sum(sizes)


def _rank(failing) -> tuple:
    """Which failure to show: one whose wrong values show the mistake first, then the smallest."""
    return degenerate(failing.verdict), _size(failing.case)


def score_property(prop, points, op, examples, outcomes, runner, oracle, rubric, shrink=True,
                   verdicts=None) -> CheckResult:
    """Judge one property's examples (already run; `verdicts`: already judged); any failure fails it.

    The failure shown is, among the examples that fail the same way as the first one, one whose
    wrong values are not degenerate (not all zeros), the smallest such (all of them ran already,
    so this costs no run), shrunk further by Hypothesis unless already small. Its diagnosis must
    also reproduce a few of the other failing examples.
    """
    result = CheckResult(prop.name, 0.0, float(points), False, _(prop.doc), examples=len(examples))
    if verdicts is None:
        verdicts = judge_all([prop] * len(examples), op, examples, outcomes, oracle)
    failures = [Failing(example.case, verdict, example.expected, outcome, oracle)
                for example, outcome, verdict in zip(examples, outcomes, verdicts) if not verdict.passed]
    if not failures:
        result.passed, result.points = True, float(points)
        return result
    kind = failures[0].verdict.kind
    same = [failing for failing in failures if failing.verdict.kind == kind]
    shown = min(same, key=_rank) if kind != "not_implemented" else same[0]
    if shrink and kind != "not_implemented" and _size(shown.case)[0] > SMALL_EXAMPLE:
        from .shrink import shrink_failure  # live Hypothesis: imported only to shrink a failure

        shrunk = shrink_failure(prop, op, oracle, runner, rubric, kind, not degenerate(shown.verdict))
        if shrunk and _rank(shrunk) <= _rank(shown):
            shown = shrunk
    position = shown.verdict.position
    others = [f for f in same if f is not shown and f.verdict.position == position][:MORE_FAILURES]
    verdict = shown.verdict
    found = diagnose(op, shown, others)
    result.reason, result.kind = verdict.reason, str(verdict.kind)  # a plain string in the report
    result.diagnosis, result.mistake = found.sentence, found.mistake
    result.feedback = describe_failure(prop, op, shown.case, verdict, oracle.tolerance_rule, result.diagnosis,
                                       result.mistake)
    return result


def blocked_result(prop, points, reason: str) -> CheckResult:
    """A property that could not run at all (no class, the file does not load)."""
    return CheckResult(prop.name, 0.0, float(points), False, _(prop.doc), reason=reason, feedback=reason, kind="error")


def check_property(prop, op, runner, oracle, rubric, bank: Bank, shrink: bool = True) -> CheckResult:
    """One property alone: what a public test runs."""
    points = dict((p.name, pts) for p, pts in rubric.graded(op.key)).get(prop.name, 0)
    if runner.missing(op):
        return blocked_result(prop, points, runner.missing(op))
    examples = bank.examples(prop)
    outcomes = runner.run(op, [ex.case for ex in examples])
    return score_property(prop, points, op, examples, outcomes, runner, oracle, rubric, shrink)


class _Judging:
    """An op's examples judged in order as their outcomes come in. A runner that can
    (``run_judged``: the sandbox) calls it after each chunk of replies, so the grader
    judges while the worker runs the next examples; whatever is left is judged once the run
    returns. A verdict depends only on its example and outcome: the same verdicts either way."""

    def __init__(self, op, props, examples, oracle):
        self.op, self.props, self.examples, self.oracle = op, props, examples, oracle
        self.verdicts = []

    def __call__(self, outcomes) -> None:
        start = len(self.verdicts)
        self.verdicts += judge_all(self.props[start:len(outcomes)], self.op, self.examples[start:len(outcomes)],
                                   outcomes[start:], self.oracle)


def grade_op(op, runner, oracle, rubric, bank: Bank, shrink: bool = True) -> OpScore:
    graded = rubric.graded(op.key)
    score = OpScore(op.key, 0.0, float(sum(points for _, points in graded)))
    blocked = runner.missing(op)
    if blocked:
        score.checks = [blocked_result(prop, points, blocked) for prop, points in graded]
        return score
    # One runner call per op: the sandbox pays one round trip, not one per example.
    examples = [bank.examples(prop) for prop, _ in graded]
    judging = _Judging(op, [prop for (prop, _points), batch in zip(graded, examples) for _example in batch],
                       [example for batch in examples for example in batch], oracle)
    cases = [example.case for example in judging.examples]
    run_judged = getattr(runner, "run_judged", None)   # the sandbox's: judged as the replies come
    outcomes = run_judged(op, cases, judging) if run_judged else runner.run(op, cases)
    judging(outcomes)
    offset = 0
    for (prop, points), batch in zip(graded, examples):
        result = score_property(prop, points, op, batch, outcomes[offset:offset + len(batch)],
                                runner, oracle, rubric, shrink, judging.verdicts[offset:offset + len(batch)])
        offset += len(batch)
        score.checks.append(result)
        score.score += result.points
    return score


def grade(submission_name: str, runner, oracle, rubric, bank: Bank, shrink: bool = True) -> Report:
    ops = {op.key: grade_op(op, runner, oracle, rubric, bank, shrink) for op in rubric.graded_ops}
    return Report(
        submission=submission_name,
        oracle=oracle.name,
        score=sum(op.score for op in ops.values()),
        max_score=sum(op.max_score for op in ops.values()),
        ops=ops,
        load_error=localized(runner.load_error),
        student_output=runner.captured_output,
    )
