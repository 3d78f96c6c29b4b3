"""How long the default `grader strength` report takes, cold (banks drawn) and warm (banks cached).

    .venv/bin/python benchmarks/strength_runtime.py [--jobs N] [--repeats 3]

Each run is a fresh `grader strength --json` process with a bank cache of its own (a temporary
``XDG_CACHE_HOME``): the first draws the rubric's bank and the probe's, the second finds them.
Printed per run: wall seconds, their ratio to the floor measured in the same run (the median of
``python -I -c "import numpy"``, no grader starts faster; a loaded machine slows both alike),
CPU seconds of the whole process tree (grading processes and sandbox workers included) and the
load average before it, because a loaded machine stretches the wall time but not the CPU time.
The target (issue 15): the whole default report under 2 minutes on 2 cores.
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

ROOT = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor(repeats: int) -> float:
    """Median wall seconds of a fresh Python that imports NumPy."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-c", "import numpy"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(cache: Path, out: Path, jobs: int) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("GRADER_COURSE", None)
    load = os.getloadavg()[0]
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "strength", "--json", str(out), "-j", str(jobs)],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return {"wall": time.perf_counter() - start, "cpu": _children_cpu() - cpu, "load": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3, help="runs of the floor (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strength-bench-") as folder:
        cache, out = Path(folder) / "cache", Path(folder) / "strength.json"
        before = floor(args.repeats)
        cold = run(cache, out, args.jobs)
        warm = run(cache, out, args.jobs)
        start_floor = statistics.median([before, floor(args.repeats)])
        total = json.loads(out.read_text())["total"]
    print(f"grader strength, {total['mutants']} mutants ({total['equivalent']} equivalent, collateral graded on "
          f"{total['collateral_graded']}), -j {args.jobs} on {os.cpu_count()} cores")
    print(f"floor: python -I -c 'import numpy' = {start_floor:.3f} s")
    print(f"{'run':<24}{'wall s':>9}{'x floor':>9}{'CPU s':>9}{'load before':>13}")
    for name, figures in (("cold (banks drawn)", cold), ("warm (banks cached)", warm)):
        print(f"{name:<24}{figures['wall']:>9.1f}{figures['wall'] / start_floor:>9.0f}{figures['cpu']:>9.1f}"
              f"{figures['load']:>13.2f}")


if __name__ == "__main__":
    main()
