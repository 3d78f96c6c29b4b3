"""Grading speed, measured side by side in one run: one submission, then a whole class.

    .venv/bin/python benchmarks/bench_grading.py [--count 120] [--jobs N] [--json OUT]

1. One correct submission (the reference), graded against the kit's rubric: wall time and
   examples per second, with the example bank built on the spot or loaded from its bank file,
   in-process and through `make_runner`'s default (the sandbox once it is installed). Also one
   fresh Python process doing all of it with a cached bank: what `grader grade` would cost.
   Then start_figures.py's rows: `grader grade`, the sandbox's worker and Gradescope's
   run_autograder per submission, each as a ratio to `python -I -c "import numpy"` in this run.
2. A generated class (make_class.py: correct and broken submissions from tests/corpus, each with
   a graph.py from tests/capstone_corpus) graded with ``grader batch`` (cold: the bank is built
   inside the run), and the same class with ``nbgrader autograde`` in a minimal module-based
   course (nbgrader_course.py) when nbgrader is importable. Both grade the ops and the capstone;
   their totals are compared student by student.

A benchmark, not a test: it prints a table of figures (benchmarks/README.md has the last ones).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_class  # noqa: E402
import nbgrader_course  # noqa: E402
from start_figures import start_figures  # noqa: E402

from grader.core.bank import Bank  # noqa: E402
from grader.core.bankfile import bank_key, load_bank, save_bank  # noqa: E402
from grader.core.grade import grade  # noqa: E402
from grader.instructor.gradebook import columns_for  # noqa: E402
from grader.core.oracles import Reference  # noqa: E402
from grader.paths import load_trusted, solutions_path  # noqa: E402
from grader.core.rubric import DEFAULT_RUBRIC  # noqa: E402
from grader.ops import load_rubric  # noqa: E402
from grader.run.factory import make_runner  # noqa: E402
from grader.run.submission import read_submission  # noqa: E402

# `grader batch` as a user types it; registers the command if cli.py does not list it yet.
GRADER = ("import sys, grader.cli.app as cli\n"
          "'grader.instructor.batch' in cli.COMMAND_MODULES or cli.COMMAND_MODULES.append('grader.instructor.batch')\n"
          "sys.exit(cli.main())")

ONE_PROCESS = """
import sys, time
start = time.perf_counter()
from grader.core.bankfile import load_bank
from grader.core.grade import grade
from grader.core.oracles import Reference
from grader.paths import load_trusted, solutions_path
from grader.ops import load_rubric
from grader.run.factory import make_runner
from grader.run.submission import read_submission
rubric = load_rubric()
oracle = Reference(load_trusted(solutions_path(), "backprop_reference"))
bank = load_bank(sys.argv[1], oracle, rubric, sys.argv[3])
assert bank is not None, 'the bank file did not load'
runner = make_runner(read_submission(sys.argv[2]))
try:
    report = grade("reference", runner, oracle, rubric, bank)
finally:
    runner.close()
assert report.score == report.max_score, report.score
print(time.perf_counter() - start)
"""


def examples_run(report) -> int:
    return sum(check.examples for op in report.ops.values() for check in op.checks)


def grade_once(submission, oracle, rubric, bank_source, in_process: bool):
    """(seconds, examples, runner name): bank_source() gives the bank (built or loaded) inside the timing."""
    start = time.perf_counter()
    bank = bank_source()
    runner = make_runner(submission, in_process=in_process)
    try:
        report = grade("reference", runner, oracle, rubric, bank)
    finally:
        runner.close()
    seconds = time.perf_counter() - start
    assert report.score == report.max_score, f"the reference scored {report.score}"
    return seconds, examples_run(report), type(runner).__name__


def one_submission(work: Path, repeats: int) -> list:
    rubric = load_rubric()
    oracle = Reference(load_trusted(solutions_path(), "backprop_reference"))
    bank_path, key = work / "bank.npz", bank_key(oracle, rubric)
    save_bank(Bank(oracle, rubric), bank_path, key)  # the cache a batch leaves behind
    submission = read_submission(solutions_path())
    rows = []
    for in_process in (True, False):
        for label, source, times in (("bank built", lambda: Bank(oracle, rubric), 1),
                                     ("bank file loaded", lambda: load_bank(bank_path, oracle, rubric, key), repeats)):
            runs = [grade_once(submission, oracle, rubric, source, in_process) for _ in range(times)]
            seconds = statistics.median(run[0] for run in runs)
            rows.append((f"one submission, {label}", runs[0][2], seconds, runs[0][1], runs[0][1] / seconds))
    fresh = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", ONE_PROCESS, str(bank_path), str(solutions_path()), key], check=True,
                       capture_output=True)
        fresh.append(time.perf_counter() - start)
    runner = type(make_runner(submission)).__name__
    rows.append(("one submission, fresh process, bank file", runner, statistics.median(fresh), rows[-1][3], None))
    return rows


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished process this one waited for, and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_batch(submissions: Path, out: Path, jobs: int, *extra) -> tuple:
    """(wall seconds, CPU seconds of the batch and every process under it)."""
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run([sys.executable, "-c", GRADER, "batch", str(submissions), "--out", str(out), "-j", str(jobs),
                    *extra], check=True, capture_output=True)
    return time.perf_counter() - start, children_cpu() - cpu


def batch_totals(out: Path) -> dict:
    return {row["id"]: row["score"] for row in json.loads((out / "gradebook.json").read_text())["students"]}


def whole_class(work: Path, count: int, jobs: int, console: Console) -> tuple:
    submissions = work / "class"
    kinds = make_class.make_class(submissions, count)
    rows, notes, cpus = [], [], []
    default = make_runner(read_submission(solutions_path()))
    default.close()
    for label, out, extra in ((f"grader batch (default: {type(default).__name__})", work / "batch", ()),
                              ("grader batch --no-shrink", work / "batch-no-shrink", ("--no-shrink",)),
                              ("grader batch --in-process", work / "batch-in-process", ("--in-process",))):
        seconds, cpu = run_batch(submissions, out, jobs, *extra)
        rows.append((label, f"-j {jobs}, bank built in the run", seconds, count, count / seconds))
        cpus.append(cpu)
    ours = batch_totals(work / "batch")
    if batch_totals(work / "batch-in-process") != ours:
        notes.append("warning: the default-runner and in-process batches disagree on some scores")
    # Where the time goes: the same class graded in-process costs the grading processes alone
    # (load, judge, shrink, gradebook, summary); the sandbox adds the worker, the fork and the round trip.
    notes.append(f"CPU per submission (batch and every process under it, bank drawn once included): "
                 f"{cpus[0] / count * 1000:.0f} ms sandboxed, {cpus[1] / count * 1000:.0f} ms with --no-shrink, "
                 f"{cpus[2] / count * 1000:.0f} ms in-process; the sandbox's share "
                 f"(worker, fork, round trip): {(cpus[0] - cpus[2]) / count * 1000:.0f} ms")
    mix = {kind: sum(k == kind for k in kinds.values()) for kind in make_class.PLAN}
    notes.append(f"class of {count}: " + ", ".join(f"{n} {kind}" for kind, n in mix.items()))

    if not nbgrader_course.installed():
        notes.append("nbgrader is not installed, so the peer was not measured: "
                     "pip install nbgrader==0.9.6 (into .venv), then rerun")
        return rows, notes
    rubric = load_rubric()
    course = work / "course"
    console.print(f"[dim]nbgrader autograde of {count} submissions (sequential; about 1-3 s each)...[/]")
    bank, oracle = work / "nbgrader-bank.npz", Reference(load_trusted(solutions_path(), "backprop_reference"))
    key = bank_key(oracle, rubric)
    save_bank(Bank(oracle, rubric), bank, key)  # the same examples the batch graded on
    capstone = float(sum(rubric.parts.get("capstone", {}).values()))   # every student hands in a graph.py
    ids = nbgrader_course.make_course(course, submissions, columns_for(rubric), DEFAULT_RUBRIC, bank, key, capstone)
    start = time.perf_counter()
    nbgrader_course.autograde(course)
    seconds = time.perf_counter() - start
    rows.append(("nbgrader autograde", "sequential (no parallel autograde)", seconds, count, count / seconds))
    theirs = nbgrader_course.scores(course, ids)
    differ = [sid for sid in ids if abs(theirs[sid] - ours[sid]) > 1e-9]
    notes.append(f"nbgrader and grader batch agree on {len(ids) - len(differ)} of {len(ids)} totals"
                 + (f" (differ: {', '.join(differ[:5])})" if differ else ""))
    notes.append(f"batch throughput: {seconds / rows[0][2]:.1f}x nbgrader autograde with the default runner, "
                 f"{seconds / rows[1][2]:.1f}x with --no-shrink, {seconds / rows[2][2]:.1f}x with --in-process")
    return rows, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=120, help="generated submissions (default 120)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="grader batch -j (default: cores)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per single-submission figure (median)")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (a new folder) and keep it, to inspect")
    args = parser.parse_args()
    # As on a user's machine, bytecode is cached: a sandbox that sets this would make every
    # process below compile the grader's modules from source on each start.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    console = Console(highlight=False, width=110)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as temp:
        work = Path(args.keep or temp)
        work.mkdir(parents=True, exist_ok=bool(not args.keep))
        single = one_submission(work, args.repeats)
        starts, start_notes = start_figures(work / "start", args.repeats)
        batch, notes = whole_class(work, args.count, args.jobs, console)

    table = Table(title=f"Grading speed ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    for column in ("what", "how", "wall s", "examples or submissions", "per s"):
        table.add_column(column, justify="left" if column in ("what", "how") else "right")
    for what, how, seconds, amount, rate in single + batch:
        table.add_row(what, how, f"{seconds:.3f}", f"{amount:,}", f"{rate:,.1f}" if rate else "-")
    console.print(table)
    starts_table = Table(title="Fresh processes, as a ratio to `python -I -c 'import numpy'` in this run")
    for column in ("what", "how", "wall s", "x floor"):
        starts_table.add_column(column, justify="left" if column in ("what", "how") else "right")
    for what, how, seconds, ratio in starts:
        starts_table.add_row(what, how, f"{seconds:.3f}", f"{ratio:.1f}")
    console.print(starts_table)
    notes = start_notes + notes
    notes.append(f"load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after: "
                 "other work on the machine slows every figure")
    for note in notes:
        console.print(note)
    if args.json:
        Path(args.json).write_text(json.dumps({"single": single, "starts": starts, "batch": batch,
                                                "notes": notes}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
