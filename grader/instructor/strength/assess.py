"""Run the mutants: does the rubric catch each one, and is each one it misses equivalent?

Both steps grade the mutants as submissions, with the batch's own machinery
(workers.grade_in_processes: grading processes in parallel, sandbox workers forked from one fork
server, one bank built once and shared), so mutants only ever run in the sandbox: they are code,
and may hang or crash.

1. **Grading.** Every mutant (the whole file) is graded with the instructor's rubric and bank, as
   ``grader batch`` grades a student: which properties of its op fail (caught by), the points
   lost on other ops (collateral, zero on a fair grader), and each failure's diagnosis: a
   ``mistake`` id only when it reproduces the mutant's numbers. A mutant that loses a point on
   its op is not equivalent: the bank holds only well-posed examples, and one of them shows the
   difference.
2. **Equivalence.** A mutant that loses nothing on its op is graded again, its op alone
   (``Mutant.probe_source``), against the *probe*: every property family of its op, whatever the
   rubric grades, on `PROBE_EXAMPLES` examples each (at least twice the rubric's), drawn from a
   seed of its own, so not the graded examples. The probe bank, like every bank, drops the
   examples where finite differences of the reference forward disagree with the reference
   (kinks, cancellation), and the ``ties`` family is judged by the subgradient rule, never against
   the reference's own choice at a tie. A mutant that passes every family there answers like the
   reference: it is *equivalent*, and reported apart, never as missed. Otherwise it *survived*,
   and the families it fails are the ones that would catch it.
"""

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...atomic import write_atomic
from ...core.rubric import Rubric

PROBE_EXAMPLES = 100
PROBE_SEED = 0x5157_2E6E   # the probe's own examples, independent of every rubric's seed
TIMEOUT = 300.0            # seconds for one mutant's grade (the sandbox bounds each op far below that)


@dataclass
class Verdict:
    """What happened to one mutant."""

    mutant: object
    report: dict                                     # its grade with the rubric
    problem: str = ""                                # why it got a zero report instead of a grade ("" if none)
    probed: bool = False                             # it lost nothing on its op, so the probe ran
    exposed_by: list = field(default_factory=list)   # the probe families it fails

    @property
    def caught_by(self) -> list:
        return [check["name"] for check in failed_checks(self.report, self.mutant.op)]

    @property
    def equivalent(self) -> bool:
        return self.probed and not self.exposed_by


def probe_rubric(rubric: Rubric, op_keys) -> Rubric:
    """Every property of the ops `op_keys`, one point each, on many examples of the probe's own seed."""
    points = {op.key: {prop.name: 1 for prop in op.properties} if op.key in op_keys else {} for op in rubric.contract}
    return Rubric(PROBE_SEED, max(PROBE_EXAMPLES, 2 * rubric.examples_per_property), points, rubric.contract)


def _private_folder(stack) -> Path:
    """The user's bank cache (as `grader grade`'s), or a private temporary folder if it is not writable."""
    from ...cli.commands import cache_dir

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grader-strength-bank-")))


def _bank_context(oracle, rubric, folder: Path, prefix: str, jobs: int):
    from ...core.bankfile import bank_key
    from ...core.context import GradingContext
    from ..pool import Context

    path = folder / f"{prefix}-{bank_key(oracle, rubric)[:16]}.npz"
    return Context(GradingContext.build(oracle, rubric, path, jobs=jobs))


def _write(folder: Path, mutants, attribute: str) -> list:
    entries = []
    for mutant in mutants:
        (folder / mutant.id).mkdir()
        write_atomic(folder / mutant.id / "ops.py", getattr(mutant, attribute))
        entries.append((mutant.id, folder / mutant.id))
    return entries


def _grade_all(entries, context, jobs: int, on_done) -> dict:
    from ..pool import grade_in_processes

    reports = {}
    results = grade_in_processes(entries, context, jobs, in_process=False, shrink=False, timeout=TIMEOUT)
    with contextlib.closing(results):
        for sid, report, problem in results:
            reports[sid] = (report, problem)
            on_done()
    return reports


def failed_checks(report: dict, op_key: str) -> list:
    op = report.get("ops", {}).get(op_key)
    return [check for check in op["checks"] if not check["passed"]] if op else []


def assess(mutants, rubric: Rubric, jobs: int, on_done=lambda: None) -> list:
    """A `Verdict` per mutant, in the mutants' order. `on_done()` is called after each grade."""
    from ...core.context import hidden_oracle
    from ...ops import registry

    oracle = hidden_oracle(registry.of_contract(rubric.contract).reference())
    with contextlib.ExitStack() as stack:
        banks = _private_folder(stack)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grader-strength-")))
        (work / "graded").mkdir()
        (work / "probe").mkdir()

        context = _bank_context(oracle, rubric, banks, "bank", jobs)
        graded = _grade_all(_write(work / "graded", mutants, "source"), context, jobs, on_done)
        verdicts = [Verdict(mutant, *graded[mutant.id]) for mutant in mutants]
        unseen = [v for v in verdicts if not v.problem and not v.caught_by]
        if unseen:
            probe = _bank_context(oracle, probe_rubric(rubric, {m.op for m in mutants}), banks, "strength-probe", jobs)
            probed = _grade_all(_write(work / "probe", [v.mutant for v in unseen], "probe_source"), probe, jobs,
                                on_done)
            for verdict in unseen:
                report, problem = probed[verdict.mutant.id]
                verdict.probed = True
                verdict.exposed_by = [f"{verdict.mutant.op}.{check['name']}"
                                      for check in failed_checks(report, verdict.mutant.op)]
                if problem:
                    verdict.exposed_by.append(f"{verdict.mutant.op}: {problem}")
    return verdicts
