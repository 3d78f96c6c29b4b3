"""Run the mutants: does the rubric catch each one, and is each one it misses equivalent?

Both steps grade the mutants as submissions, with the batch's own machinery
(workers.grade_in_processes: grading processes in parallel, sandbox workers forked from one fork
server, one bank built once and shared), so mutants only ever run in the sandbox: they are code,
and may hang or crash.

1. **Grading.** Every mutant (the whole file) is graded with the instructor's rubric and bank, as
   ``grader batch`` grades a student: which properties of its op fail (caught by), and each
   failure's diagnosis: a ``mistake`` id only when it reproduces the mutant's numbers. A mutant
   that loses a point on its op is not equivalent: the bank holds only well-posed examples, and
   one of them shows the difference. **Collateral** (points lost on the other ops, zero on a fair
   grader) is graded on a sample: `whole_grades` picks, per op, its first mutant and its first
   mutant that changes state, and every mutant that isolation.py cannot prove changes its op alone; these are graded on every op, the others on their own op only (`MutantGrading`),
   since the other ops of their file run the reference's very code. That is most of the work saved:
   a mutant graded on one op instead of seven.
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
import dataclasses
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ...atomic import write_atomic
from ...core.rubric import Rubric

PROBE_EXAMPLES = 100
PROBE_SEED = 0x5157_2E6E   # the probe's own examples, independent of every rubric's seed
TIMEOUT = 300.0            # seconds for one mutant's grade (the sandbox bounds each op far below that)


@dataclass(frozen=True)
class MutantGrading:
    """The GradingContext the grading processes use (pool.grade_entry): a mutant is graded on its
    own op alone, unless its id is in `whole`, which are graded on every op of the rubric."""

    context: object          # the GradingContext: oracle, rubric, bank
    op_of: dict              # mutant id -> its op key
    whole: frozenset = frozenset()

    @property
    def rubric(self):
        return self.context.rubric

    @property
    def bank_path(self) -> str:
        return self.context.bank_path

    def grade(self, mutant_id: str, runner, shrink: bool = True):
        from ...core.grade import grade

        rubric = self.context.rubric
        if mutant_id in self.op_of and mutant_id not in self.whole:
            own = self.op_of[mutant_id]
            rubric = dataclasses.replace(rubric, points={key: points if key == own else {}
                                                         for key, points in rubric.points.items()})
        return grade(mutant_id, runner, self.context.oracle, rubric, self.context.bank, shrink)


def whole_grades(mutants, reference: str, contract) -> frozenset:
    """The mutants graded on every op (module docstring): per op its first mutant and its first that
    changes state, and each one that may reach beyond its op's class."""
    from .isolation import changes_only

    chosen, seen = set(), set()
    for mutant in mutants:
        first = (mutant.op, mutant.changes_state)
        if first not in seen:
            seen.add(first)
            chosen.add(mutant.id)
        elif not changes_only(mutant.source, reference, contract[mutant.op].class_name):
            chosen.add(mutant.id)
    return frozenset(chosen)


@dataclass
class Verdict:
    """What happened to one mutant."""

    mutant: object
    report: dict                                     # its grade with the rubric
    problem: str = ""                                # why it got a zero report instead of a grade ("" if none)
    whole: bool = True                               # graded on every op, so its collateral is measured
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


def _bank_context(oracle, rubric, folder: Path, prefix: str, jobs: int, op_of: dict, whole: frozenset):
    from ...core.bankfile import bank_key
    from ...core.context import GradingContext
    from ..pool import Context

    path = folder / f"{prefix}-{bank_key(oracle, rubric)[:16]}.npz"
    return Context(MutantGrading(GradingContext.build(oracle, rubric, path, jobs=jobs), op_of, whole))


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
        for sid, report, problem, _plot in results:
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
    from .source import reference_source

    course = registry.of_contract(rubric.contract)
    oracle = hidden_oracle(course.reference())
    whole = whole_grades(mutants, reference_source(course), rubric.contract)
    op_of = {mutant.id: mutant.op for mutant in mutants}
    with contextlib.ExitStack() as stack:
        banks = _private_folder(stack)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grader-strength-")))
        (work / "graded").mkdir()
        (work / "probe").mkdir()

        context = _bank_context(oracle, rubric, banks, "bank", jobs, op_of, whole)
        graded = _grade_all(_write(work / "graded", mutants, "source"), context, jobs, on_done)
        verdicts = [Verdict(mutant, *graded[mutant.id], whole=mutant.id in whole) for mutant in mutants]
        unseen = [v for v in verdicts if not v.problem and not v.caught_by]
        if unseen:
            # The probe draws examples of the ops of these mutants only (a bank per rubric: drawn once, cached).
            probe = _bank_context(oracle, probe_rubric(rubric, {v.mutant.op for v in unseen}), banks, "strength-probe",
                                  jobs, {}, frozenset())
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
