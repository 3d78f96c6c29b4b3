"""What the capstone adds to one sandboxed submission, in CPU seconds, worker and grader together.

    .venv/bin/python benchmarks/capstone_cpu.py [--repeats 5]

Grades the reference solution's ops.py in the sandbox twice per repeat: alone, and with its
graph.py beside it (the capstone's requests then run in the same worker, in one call, training
included). CPU is the grader's `time.process_time` plus the reaped workers' (RUSAGE_CHILDREN),
so both sides of the wall count; the capstone's figure is the difference, a median, printed
beside its budget (the issue: at most 0.3 s per submission) as a ratio. CPU, not wall time, so
a loaded machine inflates it far less.
"""

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET = 0.3   # seconds of CPU the capstone may add per submission (issue 11)


def cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    from grader.core.context import GradingContext, hidden_oracle
    from grader.ops import registry
    from grader.ops.capstone import session
    from grader.ops.capstone.grade import draw_all
    from grader.run.factory import make_runner
    from grader.run.submission import read_submission

    course = registry.builtin()
    rubric = course.rubric()
    oracle = hidden_oracle(course.reference())
    context = GradingContext.build(oracle, rubric)   # the bank, drawn once, as a batch does
    draw_all(rubric)
    folder = ROOT / "solutions" / "backprop"
    submission, graph = read_submission(folder), session.read_graph(folder)
    chosen = session.choose_oracle(public=False)      # built once per batch too

    def ops_only() -> float:
        start = cpu()
        runner = make_runner(submission)
        try:
            context.grade(str(folder), runner)
        finally:
            runner.close()
        return cpu() - start

    def with_capstone() -> float:
        start = cpu()
        runner = session.start_runner(submission, graph)
        try:
            context.grade(str(folder), runner)
            part = session.grade_part(runner, rubric, graph, chosen=chosen)
        finally:
            runner.close()
        assert part.score == part.max_score, part
        return cpu() - start

    ops_only(), with_capstone()   # warm: imports, caches
    alone = statistics.median(ops_only() for _ in range(args.repeats))
    both = statistics.median(with_capstone() for _ in range(args.repeats))
    added = both - alone
    print(f"one submission, sandboxed, CPU (grader + worker): ops alone {alone:.3f} s, with the capstone "
          f"{both:.3f} s")
    print(f"the capstone adds {added:.3f} s of CPU per submission, training included: "
          f"{added / BUDGET:.2f} x its {BUDGET:g} s budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
