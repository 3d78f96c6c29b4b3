"""The same submission always gets the same score and feedback, across processes."""

import json
import os
import subprocess
import sys

from test_cli import run_grader


def test_grading_twice_gives_identical_json(tmp_path):
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}.json"
        assert run_grader("grade", "tests/samples/broken/ops.py", "--json", out, "-q").returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["score"] < 100



DRAW = """
import hashlib, importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from grader.core.bank import draw_cases
from grader.ops import load_rubric
rubric = load_rubric()
for key in rubric.points:
    for prop, _ in rubric.graded(key):
        digest = hashlib.sha256()
        for case in draw_cases(prop, rubric):
            for x in (*case.inputs, *case.grad_outs):
                digest.update(repr(x.shape).encode() + x.tobytes())
        print(prop.id, digest.hexdigest()[:16])
"""


def test_examples_depend_on_the_seed_alone(tmp_path):
    """Hypothesis draws literals from the source of loaded local modules, and caches them under
    ``.hypothesis/`` in the working folder. The bank must depend on neither: a first run (no cache),
    a second (cache written by the first), and a run with other modules loaded (a batch's grading
    process, the student's own file) draw the same examples."""
    (tmp_path / "course_constants.py").write_text("SIZES = [2, 3, 5, 7]\nSCALES = [-7.0625, 3.0625, 0.5]\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", DRAW, *modules], cwd=tmp_path, env=env, capture_output=True,
                           text=True, check=True).stdout
            for modules in ([], [], ["course_constants", "grader.instructor.batch", "rich.table"])]
    assert runs[0].count("\n") > 20
    assert runs[1] == runs[0] and runs[2] == runs[0]
