"""The capstone's cells in the generated notebook, and the graph.py they are graded as.

Without nbgrader's own commands (tests/test_nbgrader.py runs them end to end): the notebook's
code cells are run here as a kernel runs them, top to bottom; a submitted notebook's graph cells
are assembled and graded; and a broken ops.py beside a correct graph.py keeps the graph logic.
"""

import json
from pathlib import Path

import pytest

pytest.importorskip("nbformat")

from grader.ops import load_rubric  # noqa: E402
from grader.ops.capstone.session import grade_submission  # noqa: E402
from grader.paths import solutions_path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GRAPH = (ROOT / "solutions" / "backprop" / "graph.py").read_text(encoding="utf-8")
GRAPH_PROPERTIES = ("chain", "fan_out", "repeated_input", "unused_output", "deep", "integer_inputs", "zero_grad")


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    from grader.nbgrader.course import write_notebook

    path = tmp_path_factory.mktemp("nb") / "backprop.ipynb"
    write_notebook(path)
    return json.loads(path.read_text(encoding="utf-8"))


def _code(notebook, grade_id):
    (cell,) = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id]
    return "".join(cell["source"])


def _kernel(notebook, skip=("check_", "score_", "public_checks")):
    """The notebook's code cells run in one namespace, top to bottom, as Jupyter runs them."""
    namespace = {"__name__": "__main__"}
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if cell["cell_type"] == "code" and not grade_id.startswith(skip):
            exec(compile("".join(cell["source"]), grade_id, "exec"), namespace)
    return namespace


def test_the_capstone_section_is_graph_py_split_into_given_and_answer(notebook):
    given, answer = _code(notebook, "graph_given"), _code(notebook, "graph_answer")
    assert "class Tape:" in given and "def backward" not in given and "BEGIN SOLUTION" not in given
    assert answer.startswith("def backward(loss):") and "def sgd_step(params, lr):" in answer
    assert answer.count("### BEGIN SOLUTION") == 2   # generate_assignment stubs both functions
    points = sum(load_rubric().parts["capstone"].values())
    (graded,) = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "score_capstone"]
    assert graded["metadata"]["nbgrader"] == {"grade": True, "grade_id": "score_capstone", "locked": True,
                                              "points": points, "schema_version": 3, "solution": False}


def test_the_notebook_trains_in_a_kernel_and_its_hidden_part_scores_there_only(notebook, capsys, monkeypatch):
    from grader.nbgrader.hidden import score_capstone

    namespace = _kernel(notebook)
    assert namespace["losses"][-1] < 0.1 and "the milestone needs <= 0.1" in capsys.readouterr().out
    assert score_capstone(namespace) == 20.0
    assert "Capstone: 20/20 points" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert score_capstone(namespace) == 0.0   # never trust a kernel's score
    assert "TrustedScores" in capsys.readouterr().out


def _submitted(tmp_path, notebook, answer):
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "graph_answer":
            cell["source"] = answer
    path = tmp_path / "backprop.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_a_submitted_notebook_is_graded_on_the_kits_tape_and_its_answer_cell(notebook, tmp_path):
    from grader.nbgrader.capstone_cells import graph_source
    from grader.ops.capstone.runner import InProcessCapstone, run_requests

    hostile_given = json.loads(json.dumps(notebook))
    for cell in hostile_given["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "graph_given":
            cell["source"] = "class Tape:\n    pass\n"   # a locked cell edited in the file: not used
    source = graph_source(hostile_given)
    assert "class Tape:\n    pass" not in source and "def apply(self, op, *inputs" in source
    # An answer cell that does not compile is named with its own line number, as graph.py.
    broken = graph_source(json.loads(_submitted(tmp_path, notebook, "import numpy as np\n\ndef backward(loss)\n    pass\n")
                                     .read_text()))
    runner = InProcessCapstone("", "backprop.ipynb", broken)
    try:
        (reply,) = run_requests(runner, [(__import__("numpy").array([2, 1]), [])])
    finally:
        runner.close()
    assert reply.error == "graph.py does not compile: expected ':' (line 3)"


def _folder(tmp_path, ops_bytes):
    (tmp_path / "ops.py").write_bytes(ops_bytes)
    (tmp_path / "graph.py").write_text(GRAPH, encoding="utf-8")
    return tmp_path


BROKEN_OPS = {
    "syntax_error": solutions_path().read_bytes().replace(b"def backward(self, grad_out):", b"def backward(self, grad_out)", 1),
    "raises_at_import": b"import numpy as np\nraise RuntimeError('ops.py is not done')\n",
    "not_utf8": b"x = '\xff'\n",
}


@pytest.mark.parametrize("in_process", [True, False], ids=["in_process", "sandbox"])
@pytest.mark.parametrize("broken", sorted(BROKEN_OPS))
def test_a_broken_ops_py_keeps_the_graph_logic_and_loses_the_milestone(tmp_path, broken, in_process):
    """The graph properties run on the grader's own ops: an ops.py that does not load must not cost them."""
    score = grade_submission(_folder(tmp_path, BROKEN_OPS[broken]), load_rubric(), in_process=in_process)
    checks = {check.name: check for check in score.checks}
    assert all(checks[name].passed for name in GRAPH_PROPERTIES), {n: c.reason for n, c in checks.items()}
    assert not checks["milestone"].passed and checks["milestone"].points == 0.0
    assert checks["milestone"].reason   # the ops' load error, said once
    assert score.score == score.max_score - load_rubric().parts["capstone"]["milestone"]
