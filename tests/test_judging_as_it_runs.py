"""The sandbox hands each chunk of outcomes to the judge as it arrives (core/grade.py `_Judging`,
SandboxRunner.run_judged), so the grader judges while the worker runs the next examples.

Structural, not timed: the judge sees the outcomes chunk by chunk, the report is the one judged
after the run, and the judge's own time is never charged to the op's time limit.
"""

import time

from conftest import SOLUTION_SOURCE
from grader.core.grade import grade
from grader.ops import OPS
from grader.sandbox.sandbox_runner import SandboxRunner

PATIENT = dict(call_timeout=60.0, op_timeout=120.0)


class JudgedAfterTheRun(SandboxRunner):
    """The same sandbox, judged only once each run has returned (as every runner was before)."""

    run_judged = None   # what grade() looks for

    def run(self, op, cases) -> list:
        return SandboxRunner.run_judged(self, op, cases)


def cases_of(op, rubric, bank):
    return [example.case for prop, _points in rubric.graded(op.key) for example in bank.examples(prop)]


def test_outcomes_reach_the_judge_chunk_by_chunk_before_the_run_returns(rubric, bank):
    op = OPS[0]
    cases = cases_of(op, rubric, bank)
    seen = []
    with SandboxRunner(SOLUTION_SOURCE, "ops.py", **PATIENT) as runner:
        outcomes = runner.run_judged(op, cases, judged=lambda so_far: seen.append(len(so_far)))
    assert len(outcomes) == len(cases) > 32
    assert len(seen) > 1 and seen == sorted(set(seen)) and seen[-1] == len(cases)


def test_a_report_judged_as_it_runs_is_the_one_judged_after(reference, rubric, bank):
    wrong = SOLUTION_SOURCE.replace("_sum_to_shape(grad_out * self.b,", "_sum_to_shape(grad_out * self.a,", 1)
    assert wrong != SOLUTION_SOURCE   # mul's swap forgotten: failures to shrink, diagnose and report
    for source in (SOLUTION_SOURCE, wrong):
        reports = []
        for runner_class in (SandboxRunner, JudgedAfterTheRun):
            with runner_class(source, "ops.py", **PATIENT) as runner:
                reports.append(grade("ops.py", runner, reference, rubric, bank, shrink=True).to_json())
        assert reports[0] == reports[1]


def test_the_judges_time_is_not_charged_to_the_op(rubric, bank):
    """A judge slower than the op's whole limit still gets every outcome of a correct file."""
    op = OPS[0]
    cases = cases_of(op, rubric, bank)

    calls = []

    def slow_judge(so_far):
        calls.append(len(so_far))
        time.sleep(0.75)

    with SandboxRunner(SOLUTION_SOURCE, "ops.py", call_timeout=30.0, op_timeout=3.0) as runner:
        outcomes = runner.run_judged(op, cases, judged=slow_judge)
    assert 0.75 * len(calls) > 3.0   # the judging alone took longer than the op may
    assert [outcome.error for outcome in outcomes] == [""] * len(cases)
