"""Where a batch's time goes, per submission: the grading process (its judge, its capstone
grading, its shrinking, the loss plot, the rest), the sandbox worker, and the fork and round trip.

    .venv/bin/python benchmarks/batch_split.py [--count 40]

Grades a generated class (make_class.py, graph.py included) one submission at a time, exactly as
a grading process of `grader batch` does (`pool.grade_entry`, then the loss plot `pool._plot`),
with the bank built once and sandbox workers forked from one fork server. CPU, not wall time:
the grading process's `time.process_time` (split by timing the judge, the capstone's grading
and the shrinker inside it), and the workers' CPU, reaped when the fork server closes. Each row
is printed per submission and as a ratio to the floor measured in the same run, the CPU of
``python -I -c "import numpy"``: a grade can cost no less than one start of Python and NumPy.
"""

import argparse
import dataclasses
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor_cpu(repeats: int = 5) -> float:
    """Median CPU of `python -I -c "import numpy"` (the floor of every start figure)."""
    samples = []
    for _ in range(repeats):
        before = children_cpu()
        subprocess.run([sys.executable, "-I", "-c", "import numpy"], check=True)
        samples.append(children_cpu() - before)
    return sorted(samples)[len(samples) // 2]


class Timed:
    """Wraps a module attribute (a function) and adds the CPU spent in it to `seconds`."""

    def __init__(self, module, name: str):
        self.module, self.name, self.original, self.seconds = module, name, getattr(module, name), 0.0
        setattr(module, name, self)

    def __call__(self, *args, **kwargs):
        start = time.process_time()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds += time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="students in the generated class")
    args = parser.parse_args()

    from make_class import make_class

    from grader.core import grade, shrink
    from grader.core.context import CACHE, GradingContext
    from grader.instructor import pool
    from grader.ops import registry
    from grader.ops.capstone import session
    from grader.sandbox.launchers import ForkServer

    work = Path(tempfile.mkdtemp(prefix="batch-split-"))
    make_class(work / "class", args.count)
    rubric = registry.select(None).rubric(None)
    context = pool.Context(GradingContext.hidden(registry.of_contract(rubric.contract), rubric,
                                                 work / "bank.npz", CACHE))
    session.prepare(rubric)
    server = ForkServer.start_or_none()
    if server is None:
        print("no fork server here (not Linux?): nothing to measure", file=sys.stderr)
        return 1
    context = dataclasses.replace(context, fork_server=server.address)
    students = sorted((work / "class").iterdir())
    pool.grade_entry(students[0].name, students[0], context, False, True)   # warm: first-use caches

    judge, capstone, shrinking = Timed(grade, "judge_all"), Timed(session, "grade_part"), Timed(shrink, "shrink_failure")
    plot = Timed(pool, "_plot")
    workers_before, start, wall = children_cpu(), time.process_time(), time.perf_counter()
    for folder in students:
        pool._plot(pool.grade_entry(folder.name, folder, context, False, True))
    grading, wall = time.process_time() - start, time.perf_counter() - wall
    server.close()
    time.sleep(0.5)   # the fork server reaps its workers, then is reaped
    workers = children_cpu() - workers_before
    floor = floor_cpu()

    count = len(students)
    # shrink_failure runs inside the judge's callers, not inside judge(): the rows do not overlap.
    rest = grading - judge.seconds - capstone.seconds - shrinking.seconds - plot.seconds
    rows = [("grading process: the judge (ops)", judge.seconds),
            ("grading process: the capstone's grading (its judge, diagnoses)", capstone.seconds),
            ("grading process: shrinking failures (Hypothesis)", shrinking.seconds),
            ("grading process: the loss plot (matplotlib)", plot.seconds),
            ("grading process: the rest (requests, replies, reports, the fork's side)", rest),
            ("sandbox workers (student code, their side of the frames, start, training)", workers)]
    total = grading + workers
    print(f"{count} submissions graded one at a time in {wall:.1f} s wall, {total:.1f} s CPU; "
          f"floor (CPU of python -I -c 'import numpy') {floor * 1000:.0f} ms")
    print(f"{'where':<78} {'ms/submission':>14} {'share':>6} {'x floor':>8}")
    for name, seconds in rows + [("total", total)]:
        per = seconds / count
        print(f"{name:<78} {per * 1000:>14.0f} {seconds / total:>6.0%} {per / floor:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
