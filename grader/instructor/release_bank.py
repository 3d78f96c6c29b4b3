"""The public bank a release ships: drawn by the released package itself, at `grader release` time.

The students' ``pytest`` loads ``grader/public_bank.npz`` when its key is the one their
checkout computes (grader/core/public_bank.py), so the bank is drawn in a fresh Python that
imports the *released* ``grader`` package from the release folder, with no course or path
taken from this process's environment: its key then hashes exactly the files, given forward
and rubric a student's clone holds. The bank is public data: expected values of finite
differences of the given forward, which the handout already lets anyone compute.
"""

import os
import subprocess
import sys
from pathlib import Path

from ..i18n import _

DRAW = """\
import sys
sys.path.insert(0, sys.argv[1])
import grader
from pathlib import Path
if Path(grader.__file__).resolve().parent != (Path(sys.argv[1]) / "grader").resolve():
    sys.exit(f"imported {grader.__file__}, not the release's grader package")
from grader.core.context import public_oracle
from grader.core.public_bank import ship
from grader.ops import registry
course = registry.select()
ship(public_oracle(course.given()), course.rubric())
if course.rubric().parts.get("capstone"):   # and the capstone's cases: test_graph.py draws nothing either
    from grader.atomic import write_atomic
    from grader.ops.capstone.grade import shipped_cases
    name, data = shipped_cases(course.rubric())
    (Path(sys.argv[1]) / name).parent.mkdir(exist_ok=True)
    write_atomic(Path(sys.argv[1]) / name, data)
"""

# Settings of this process that would make the release's package grade something else.
NOT_INHERITED = ("GRADER_COURSE", "BACKPROP_GIVEN", "BACKPROP_SOLUTIONS", "PYTHONPATH")


def ship_public_bank(out) -> Path:
    """Write ``out/grader/public_bank.npz`` for the release at `out`; RuntimeError if it cannot."""
    out = Path(out).resolve()
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    # -B: a release holds no bytecode of its own (the course folder is listed as written)
    result = subprocess.run([sys.executable, "-I", "-B", "-c", DRAW, str(out)], cwd=out, env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(_("drawing the release's public bank failed: {last}").format(last=last))
    return out / "grader" / "public_bank.npz"
