"""What one fresh process costs: `grader grade`, a Gradescope container, the sandbox's worker.

    .venv/bin/python benchmarks/start_figures.py [--repeats 5]

Every figure is a median of fresh processes and is printed as a ratio to the floor measured in
the same run, ``python -I -c "import numpy"`` (no grader can start faster), so a loaded machine
slows both sides alike. Targets (the issue): `grader grade` with its bank cached at most 3x the
floor; Gradescope's run_autograder, per submission, with the bank its bundle ships, under 1 s;
the released assignment's `pytest`, everything passing, at most 3 s.
bench_grading.py prints these rows with its own.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "solutions" / "backprop" / "ops.py"
CAPSTONE = ROOT / "solutions" / "backprop" / "graph.py"   # beside ops.py: `grader grade` grades it too


def timed(command, repeats: int, env=None, cwd=None, prepare=None) -> float:
    """Median wall seconds of `command`, `prepare()` (untimed) before each run."""
    times = []
    for _ in range(repeats):
        if prepare:
            prepare()
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker_start(repeats: int) -> float:
    """Median seconds to start the sandbox's worker and load a submission into it, then close it."""
    from grader.run.factory import make_runner
    from grader.run.submission import read_submission

    submission, times = read_submission(REFERENCE), []
    for _ in range(repeats):
        start = time.perf_counter()
        make_runner(submission).close()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def gradescope_root(folder: Path, capstone: bool = False):
    """A fresh /autograder for one submission (ops.py, and graph.py with `capstone`): what every
    Gradescope container starts from."""
    def prepare():
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "submission").mkdir(parents=True)
        shutil.copy(REFERENCE, folder / "submission" / "ops.py")
        if capstone:
            shutil.copy(CAPSTONE, folder / "submission" / "graph.py")
    return prepare


def released_pytest(work: Path, python: str, repeats: int, env) -> tuple:
    """(first, again): seconds of `pytest` in the students' repository with a correct ops.py and graph.py, on
    its first run (a fresh clone: no bytecode yet) and the median of the runs after it (what a
    student waits for once everything passes). The bank is the one the release ships."""
    release = work / "release"
    subprocess.run([python, "-m", "grader", "release", str(release)], check=True, capture_output=True, env=env, cwd=ROOT)
    shutil.copy(REFERENCE, release / "backprop" / "ops.py")
    shutil.copy(CAPSTONE, release / "backprop" / "graph.py")   # the capstone's test_graph.py passes too
    run_env = {**env, "PYTHONPATH": str(release)}   # the release's own grader package, as `pip install -e .` gives
    command = [python, "-m", "pytest", "-q"]   # the kit's installed entry point loads the release's plugin
    first = timed(command, 1, env=run_env, cwd=release)  # compiles (and pytest rewrites) the release's modules
    return first, timed(command, repeats, env=run_env, cwd=release)


def start_figures(work: Path, repeats: int) -> tuple:
    """(rows, notes): rows are (what, how, seconds, ratio to the floor)."""
    python = sys.executable
    floor = timed([python, "-I", "-c", "import numpy"], repeats)
    rows = [("python -I -c 'import numpy'", "the floor", floor, 1.0)]

    # As on a user's machine: bytecode is cached (a sandbox may set PYTHONDONTWRITEBYTECODE, which
    # would compile every grader module, and pytest's rewritten ones, on every run).
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    alone = work / "ops-alone"   # ops.py with no graph.py beside it: the ops only (the 3x)
    alone.mkdir(parents=True)
    shutil.copy(REFERENCE, alone / "ops.py")
    graded = {}
    for what, path in (("grader grade, ops alone", alone / "ops.py"), ("grader grade, ops + capstone", REFERENCE)):
        grade = [python, "-m", "grader", "grade", str(path), "--quiet"]
        subprocess.run(grade, check=True, capture_output=True, env=env, cwd=ROOT)  # draws and caches the bank
        graded[what] = seconds = timed(grade, repeats, env=env, cwd=ROOT)
        rows.append((what, "fresh process, bank cached", seconds, seconds / floor))
    seconds = worker_start(repeats)
    rows.append(("sandbox worker start + load", "make_runner + close, in this process", seconds, seconds / floor))

    first, seconds = released_pytest(work, python, repeats, env)
    rows.append(("released pytest, all passing", "student's repository, first run", first, first / floor))
    rows.append(("released pytest, all passing", "student's repository, runs after", seconds, seconds / floor))

    bundle, out = work / "bundle", work / "autograder.zip"
    subprocess.run([python, "-m", "grader", "gradescope", "build", str(out)], check=True, capture_output=True,
                   env=env, cwd=ROOT)
    with zipfile.ZipFile(out) as archive:
        archive.extractall(bundle)
    # What setup.sh does once per image after installing (the container of each submission is fresh).
    subprocess.run([python, "-m", "compileall", "-q", str(bundle / "grader")], check=True, capture_output=True)
    root = work / "autograder"
    run_env = {**env, "GRADESCOPE_ROOT": str(root), "GRADER_PYTHON": python}
    run_env.pop("BACKPROP_SOLUTIONS", None)
    run = ["bash", str(bundle / "run_autograder")]
    shipped = timed(run, repeats, env=run_env, cwd=work, prepare=gradescope_root(root))
    rows.append(("gradescope run_autograder", "per submission, bank shipped", shipped, shipped / floor))
    both = timed(run, repeats, env=run_env, cwd=work, prepare=gradescope_root(root, capstone=True))
    rows.append(("gradescope run_autograder", "ops.py + graph.py, bank and cases shipped", both, both / floor))
    (bundle / "solutions" / "bank.npz").unlink()  # the peer: every container draws the bank again
    drawn = timed(run, 1, env=run_env, cwd=work, prepare=gradescope_root(root))
    rows.append(("gradescope run_autograder", "per submission, bank drawn (before)", drawn, drawn / floor))
    capstone = graded["grader grade, ops + capstone"] - graded["grader grade, ops alone"]
    notes = [f"run_autograder with the shipped bank: {drawn / shipped:.1f}x faster than drawing it per container",
             f"the capstone adds {capstone:.3f} s ({capstone / floor:.1f}x the floor) to a `grader grade`",
             "targets: grader grade (ops alone) <= 3x the floor; run_autograder with the shipped bank < 1 s; released pytest <= 3 s"]
    return rows, notes


def main() -> int:
    from rich.console import Console
    from rich.table import Table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per figure (median)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="grader-start-") as temp:
        rows, notes = start_figures(Path(temp), args.repeats)
    table = Table(title=f"Process start ({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    for column in ("what", "how", "wall s", "x floor"):
        table.add_column(column, justify="left" if column in ("what", "how") else "right")
    for what, how, seconds, ratio in rows:
        table.add_row(what, how, f"{seconds:.3f}", f"{ratio:.1f}")
    console = Console(highlight=False, width=110)
    console.print(table)
    for note in notes + [f"load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"]:
        console.print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
