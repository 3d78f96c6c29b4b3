"""A minimal module-based nbgrader course grading the same submissions, for comparison.

Layout and commands as in nbgrader's user guide, with a module-based assignment (nbgrader 0.9.6)::

    COURSE/nbgrader_config.py          course id, Execute.timeout, kernel python3
    COURSE/source/hw/hw.ipynb          7 graded cells (one per op, points = the rubric's), and
                                       one for the capstone when the rubric grades it
    COURSE/submitted/<id>/hw/hw.ipynb  the released notebook + the student's ops.py and graph.py
    nbgrader generate_assignment hw --force;  nbgrader autograde hw

Each graded cell's hidden test grades that op of the student's ``ops.py`` with the kit's
grader, inside the kernel, on the same cached example bank (bankfile) the batch uses, and ends
in a plain ``float`` (§3). That is the most favourable setup for nbgrader we know (no
subprocess per cell as in §6, no bank rebuilt per notebook), so the comparison measures
nbgrader's own cost per notebook: a kernel, nbconvert execution and its database.

The capstone's cell grades the student's ``graph.py`` beside ``ops.py`` the way ``grader batch``
does (grader/ops/capstone/session.py, the hidden reference), in the kernel like the ops' cells,
so both sides grade the same parts and their totals compare student by student.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ASSIGNMENT = "hw"

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "bench"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".hypothesis"]
c.Execute.timeout = 120
c.Execute.kernel_name = "python3"
"""

SETUP = '''if "_bench_score" not in globals():
    from pathlib import Path
    from grader.core.bankfile import load_bank
    from grader.core.grade import grade_op
    from grader.core.oracles import Reference
    from grader.paths import load_trusted, solutions_path
    from grader.ops import load_rubric
    from grader.run.in_process import InProcessRunner
    _rubric = load_rubric({rubric!r})
    _oracle = Reference(load_trusted(solutions_path(), "backprop_reference"))
    _bank = load_bank({bank!r}, _oracle, _rubric, {key!r})
    _runner = InProcessRunner(Path("ops.py").read_text(encoding="utf-8"), "ops.py")
    _bench_score = lambda key: float(grade_op(_rubric.contract[key], _runner, _oracle, _rubric, _bank).score)
'''


CAPSTONE = '''from pathlib import Path
from grader.ops import load_rubric
from grader.ops.capstone.session import grade_submission
float(grade_submission(Path("."), load_rubric({rubric!r}), in_process=True).score)
'''


def installed() -> bool:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        return False
    return True


def _cell(cell_type: str, source: str, **nbgrader) -> dict:
    cell = {"cell_type": cell_type, "metadata": {}, "source": source}
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    if nbgrader:
        cell["metadata"]["nbgrader"] = {"schema_version": 3, "solution": False, "locked": True,
                                        "grade": False, **nbgrader}
    return cell


def notebook(columns: list, rubric: Path, bank: Path, key: str, capstone: float = 0.0) -> dict:
    cells = [_cell("markdown", "# Backprop homework\nYour `ops.py` is graded by the cells below.",
                   grade_id="intro")]
    setup = SETUP.format(rubric=str(rubric), bank=str(bank), key=key)
    for op_key, points in columns:
        body = f"### BEGIN HIDDEN TESTS\n{setup}_bench_score({op_key!r})\n### END HIDDEN TESTS"
        cells.append(_cell("code", body, grade=True, grade_id=f"test_{op_key}", points=points))
    if capstone:   # the rubric's capstone points: graph.py graded beside ops.py, as the batch does
        body = f"### BEGIN HIDDEN TESTS\n{CAPSTONE.format(rubric=str(rubric))}### END HIDDEN TESTS"
        cells.append(_cell("code", body, grade=True, grade_id="test_capstone", points=capstone))
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python"}}}


def nbgrader(course: Path, *args) -> subprocess.CompletedProcess:
    # nbgrader runs `alembic` from PATH: put this interpreter's scripts folder first.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = dict(os.environ, PATH=path, JUPYTER_PLATFORM_DIRS="1")
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, check=True)


def make_course(course: Path, submissions: Path, columns: list, rubric: Path, bank: Path, key: str,
                capstone: float = 0.0) -> list:
    """Write the course, release the assignment, and submit every student's ops.py (and graph.py);
    returns the ids. `capstone`: the capstone cell's points (0: no capstone cell)."""
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(CONFIG)
    (course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text(
        json.dumps(notebook(columns, rubric, bank, key, capstone)))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    released = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    ids = sorted(entry.name for entry in submissions.iterdir() if entry.is_dir())
    for sid in ids:
        target = course / "submitted" / sid / ASSIGNMENT
        target.mkdir(parents=True)
        shutil.copy(released, target)
        for name in ("ops.py", "graph.py"):
            if (submissions / sid / name).exists():
                shutil.copy(submissions / sid / name, target / name)
    return ids


def autograde(course: Path) -> None:
    nbgrader(course, "autograde", ASSIGNMENT)


def scores(course: Path, ids: list) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="bench") as book:
        return {sid: book.find_submission(ASSIGNMENT, sid).score for sid in ids}
