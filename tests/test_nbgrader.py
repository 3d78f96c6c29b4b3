"""The nbgrader integration, end to end with the real nbgrader (the optional extra).

One course is built for the whole module: ``grader nbgrader init`` → ``nbgrader
generate_assignment`` → a roster of submissions → ``nbgrader autograde`` → the Gradebook →
``nbgrader generate_feedback`` → ``nbgrader export``, every nbgrader step a subprocess in the
course directory, as an instructor runs it. The tests then read what each step left behind.

The roster: the reference answers (full marks), the untouched release (0), one classic bug per
op (each loses exactly what the hidden grader takes for that bug, on that op only), a copied
answer cell (must not abort the batch; the later copy counts), a notebook that writes to
stderr and warns (full marks), and a hostile notebook (patches numpy, the grader and
subprocess, and tries to load the solutions: 0). The capstone's graded cell is scored with
them (the reference's walker: full marks), and two students differ only there: a wrong tape
walker from tests/capstone_corpus (capstone points lost, no op point) and an ops cell that does
not load beside a correct walker (the graph properties kept).
"""

import ast
import copy
import csv
import html
import json
import os
import re
import resource
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")

from conftest import CORPUS, SOLUTION_SOURCE, with_snippet  # noqa: E402

from grader.ops import OP_BY_KEY, OPS  # noqa: E402
from grader.run.answers import read_answers  # noqa: E402
from grader.run.cells import answer_id, score_id  # noqa: E402
from grader.paths import solutions_path  # noqa: E402
from grader.ops import load_rubric  # noqa: E402
from grader.run.in_process import InProcessRunner  # noqa: E402
from grader.run.factory import make_runner  # noqa: E402
from grader.run.submission import Submission  # noqa: E402

COURSE_ID = "backprop-test"
# One classic bug per op (tests/corpus/wrong/): some lose the whole op, some part of it.
BUGS = {
    "mul": "mul__swapped_operands",
    "add": "add__ignored_upstream",
    "max": "max__ties_doubled",
    "sigmoid": "sigmoid__naive_exp_overflow",
    "matmul": "matmul__no_transpose_grad_a",
    "softmax_ce": "softmax_ce__missing_mean",
    "embedding": "embedding__fancy_index_assign",
}
# Sorts last: were it ever graded without the sandbox, it could forge only its own score,
# which test_hostile_notebook_gets_zero then catches.
HOSTILE = "zz_hostile"
CAPSTONE_CORPUS = Path(__file__).with_name("capstone_corpus")
CAPSTONE_CELL = "score_capstone"


def _sandboxed() -> bool:
    runner = make_runner(Submission(Path("probe.py"), "", "probe.py"))
    try:
        return not isinstance(runner, InProcessRunner)
    finally:
        runner.close()


# --------------------------------------------------------------------------- notebook editing

def _cells(notebook, grade_id):
    return [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _replace_backward(cell_source: str, class_name: str, snippet: str) -> str:
    """The answer cell with the body of `class_name.backward` replaced by the snippet's, and the
    snippet's module-level helpers appended: what a student with that bug would submit."""
    snippet_tree = ast.parse(snippet)
    snippet_lines = snippet.splitlines()
    method = next(node for cls in snippet_tree.body if isinstance(cls, ast.ClassDef)
                  for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == "backward")
    body = textwrap.indent(textwrap.dedent("\n".join(snippet_lines[method.body[0].lineno - 1:method.end_lineno])),
                           " " * 8)
    helpers = [ast.get_source_segment(snippet, node) for node in snippet_tree.body if isinstance(node, ast.FunctionDef)]
    tree = ast.parse(cell_source)
    target = next(node for cls in tree.body if isinstance(cls, ast.ClassDef) and cls.name == class_name
                  for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == "backward")
    first = target.body[1] if isinstance(target.body[0], ast.Expr) else target.body[0]  # after the docstring
    lines = cell_source.splitlines()
    edited = lines[:first.lineno - 1] + body.splitlines() + lines[target.end_lineno:]
    return "\n".join(edited + [""] + helpers) + "\n"


def _set_answer(notebook, op_key, source):
    (cell,) = _cells(notebook, answer_id(op_key))
    cell["source"] = source


def _reference_submission(source_nb, release_nb):
    """The release notebook with every answer cell filled in from the instructor's notebook."""
    submission = copy.deepcopy(release_nb)
    for op in OPS:
        _set_answer(submission, op.key, _source(_cells(source_nb, answer_id(op.key))[0]))
    _set_graph(submission, _source(_cells(source_nb, "graph_answer")[0]))
    return submission


def _set_graph(notebook, source):
    (cell,) = _cells(notebook, "graph_answer")
    cell["source"] = source


def _walker_submission(reference, name):
    """The reference with the capstone's answer cell replaced by a corpus walker (backward, sgd_step)."""
    notebook = copy.deepcopy(reference)
    _set_graph(notebook, "import numpy as np\n\n\n" + (CAPSTONE_CORPUS / "wrong" / f"{name}.py").read_text(encoding="utf-8"))
    return notebook


def _broken_ops_submission(reference):
    """An ops cell that does not compile (Embedding's, which the network needs) beside the right walker."""
    notebook = copy.deepcopy(reference)
    (cell,) = _cells(notebook, answer_id("embedding"))
    cell["source"] = _source(cell).replace("def backward(self, grad_out):", "def backward(self, grad_out)", 1)
    return notebook


def _bug_submission(reference, op_key):
    notebook = copy.deepcopy(reference)
    op = OP_BY_KEY[op_key]
    snippet = (CORPUS / "wrong" / f"{BUGS[op_key]}.py").read_text(encoding="utf-8")
    _set_answer(notebook, op_key, _replace_backward(_source(_cells(notebook, answer_id(op_key))[0]),
                                                    op.class_name, snippet))
    return notebook


def _duplicate_cell_submission(reference):
    """Mul's answer cell copied (same nbgrader metadata): a buggy first copy, the fixed one after."""
    notebook = copy.deepcopy(reference)
    (cell,) = _cells(notebook, answer_id("mul"))
    buggy = copy.deepcopy(_cells(_bug_submission(reference, "mul"), answer_id("mul"))[0])
    buggy["id"] = "copied-by-student"
    notebook["cells"].insert(notebook["cells"].index(cell), buggy)
    return notebook


def _stderr_submission(reference):
    notebook = copy.deepcopy(reference)
    noisy = ('import sys, warnings\nprint("debug: loading", file=sys.stderr)\n'
             'warnings.warn("this module is noisy", UserWarning)\n')
    for key in ("mul", "sigmoid"):
        (cell,) = _cells(notebook, answer_id(key))
        source = _source(cell).replace(
            "        ### BEGIN SOLUTION\n",
            '        ### BEGIN SOLUTION\n        print("debug: backward", file=sys.stderr)\n'
            '        warnings.warn("slow path", RuntimeWarning)\n', 1)
        cell["source"] = noisy + source
    return notebook


HOSTILE_CELLS = {
    # Each answer cell defines a wrong class, then attacks; every attack in its own try, so a
    # blocked one does not stop the next.
    "mul": '''
import numpy as np

class Mul:
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad_out):
        return np.zeros(np.shape(self.a)), np.zeros(np.shape(self.b))

for attack in ("np.allclose = lambda *a, **k: True",
               "np.testing.assert_allclose = lambda *a, **k: None",
               "np.abs = lambda x, *a, **k: np.zeros(np.shape(x))",
               "np.isfinite = lambda x, *a, **k: np.ones(np.shape(x), dtype=bool)"):
    try:
        exec(attack)
    except Exception:
        pass
''',
    "add": '''
class Add:
    def forward(self, a, b):
        self.a_shape, self.b_shape = np.shape(a), np.shape(b)
        return a + b

    def backward(self, grad_out):
        return np.ones(self.a_shape), np.ones(self.b_shape)

for attack in ("import grader.judge; grader.core.judge.judge = lambda *a, **k: grader.core.judge.Verdict(True)",
               "import grader.grade; grader.core.grade.score_property = lambda prop, points, *a, **k: "
               "grader.core.grade.CheckResult(prop.name, float(points), float(points), True, prop.doc)",
               "import grader.nbgrader.cells as c; c.score = lambda *a, **k: 100.0"):
    try:
        exec(attack)
    except Exception:
        pass
''',
    "max": '''
class Max:
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, grad_out):
        return grad_out, grad_out

try:
    import subprocess
    subprocess.run = lambda *a, **k: subprocess.CompletedProcess(a, 0, '{"score": 100}', "")
    subprocess.Popen = None
    subprocess.check_output = lambda *a, **k: b"100"
except Exception:
    pass
''',
    "sigmoid": '''
class Sigmoid:
    def forward(self, x):
        self.out = np.exp(-np.logaddexp(0.0, -x))
        return self.out

    def backward(self, grad_out):
        return (grad_out,)
''',
    "matmul": '''
class MatMul:
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad_out):
        return grad_out @ self.b, self.a @ grad_out
''',
    "softmax_ce": '''
class SoftmaxCrossEntropy:
    def forward(self, logits, labels):
        self.logits, self.labels = logits, labels
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_softmax[np.arange(len(labels)), labels].mean()

    def backward(self, grad_out):
        return np.zeros_like(self.logits), None
''',
    "embedding": '''
class Embedding:
    def forward(self, weight, indices):
        self.weight, self.indices = weight, indices
        return weight[indices]

    def backward(self, grad_out):
        return np.zeros_like(self.weight), None

# Last: the reference classes would replace every wrong one above, and print the solutions.
try:
    solution = open(SOLUTIONS).read()
    print(solution)
    exec(solution)
except Exception:
    pass
''',
}


def _hostile_submission(release_nb):
    notebook = copy.deepcopy(release_nb)
    for key, source in HOSTILE_CELLS.items():
        _set_answer(notebook, key, source.replace("SOLUTIONS", repr(str(solutions_path()))).lstrip())
    # A scratch cell attacking the kernel: nbgrader would run it before the graded cells; here
    # no kernel decides anything.
    notebook["cells"].append({"cell_type": "code", "id": "scratch", "metadata": {}, "outputs": [],
                              "execution_count": None,
                              "source": "import grader.nbgrader.cells as c\nc.score = lambda *a, **k: 100.0\n"})
    return notebook


# --------------------------------------------------------------------------- the course

def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _nbgrader(course, env, timings, *args):
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    assert "error processing" not in done.stderr, done.stderr
    timings[args[0]] = (round(time.perf_counter() - start, 1), round(_children_cpu() - cpu, 1))
    return done


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    import grader.cli.app as cli

    root = tmp_path_factory.mktemp("nbgrader")
    course = root / "course"
    jupyter = root / "jupyter"
    env = dict(os.environ,
               # nbgrader runs `alembic` from PATH when it creates the gradebook.
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               # Keep the user's Jupyter/nbgrader settings out of the course.
               JUPYTER_CONFIG_DIR=str(jupyter / "config"), JUPYTER_DATA_DIR=str(jupyter / "data"),
               JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"), IPYTHONDIR=str(jupyter / "ipython"))
    timings = {}

    if "grader.nbgrader.command" not in cli.COMMAND_MODULES:
        cli.COMMAND_MODULES.append("grader.nbgrader.command")
    assert cli.main(["nbgrader", "init", str(course), "--course-id", COURSE_ID]) == 0
    _nbgrader(course, env, timings, "generate_assignment", "backprop")

    source_nb = json.loads((course / "source" / "backprop" / "backprop.ipynb").read_text())
    release_nb = json.loads((course / "release" / "backprop" / "backprop.ipynb").read_text())
    reference = _reference_submission(source_nb, release_nb)
    roster = {"ref": reference, "blank": release_nb, "dup_cell": _duplicate_cell_submission(reference),
              "stderr": _stderr_submission(reference), HOSTILE: _hostile_submission(release_nb)}
    roster.update({f"wrong_{key}": _bug_submission(reference, key) for key in BUGS})
    roster.update({"walker_overwrite": _walker_submission(reference, "overwrite"),
                   "broken_embedding_cell": _broken_ops_submission(reference)})
    for student, notebook in roster.items():
        folder = course / "submitted" / student / "backprop"
        folder.mkdir(parents=True)
        (folder / "backprop.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")

    autograde = _nbgrader(course, env, timings, "autograde", "backprop")
    _nbgrader(course, env, timings, "generate_feedback", "backprop")
    _nbgrader(course, env, timings, "export", "--to", "grades.csv")
    print("nbgrader steps, (wall s, cpu s):", timings)
    return {"dir": course, "roster": sorted(roster), "autograde_log": autograde.stderr,
            "source_text": json.dumps(source_nb), "release_text": json.dumps(release_nb)}


@pytest.fixture(scope="module")
def cell_scores(course):
    """student -> {grade cell name: (auto_score, max_score, needs_manual_grade)}, from the Gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course['dir'] / 'gradebook.db'}", course_id=COURSE_ID) as gradebook:
        for student in course["roster"]:
            submission = gradebook.find_submission("backprop", student)
            scores[student] = {grade.name: (grade.auto_score, grade.max_score, grade.needs_manual_grade)
                               for notebook in submission.notebooks for grade in notebook.grades}
    return scores


def _op_max():
    rubric = load_rubric()
    return {op.key: float(rubric.op_max(op.key)) for op in OPS}


def _cells_max():
    """Every graded cell's points: the ops', then the capstone's (the rubric's part beside them)."""
    return {**{score_id(key): points for key, points in _op_max().items()},
            CAPSTONE_CELL: float(sum(load_rubric().parts["capstone"].values()))}


def _feedback_text(course, student) -> str:
    """The feedback page as a reader sees it: tags (and syntax highlighting) removed."""
    page = (course["dir"] / "feedback" / student / "backprop" / "backprop.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", page))


# --------------------------------------------------------------------------- tests

@pytest.mark.slow
def test_init_writes_the_config_and_a_notebook_generated_from_the_kit(course, tmp_path):
    from grader.nbgrader.course import init_course

    config = (course["dir"] / "nbgrader_config.py").read_text()
    for setting in ("TrustedScores", "SafeDeduplicateIds", "add_missing_cells = True", "ClearHiddenTests",
                    "c.Execute.timeout", f"course_id = {COURSE_ID!r}"):
        assert setting in config
    source = json.loads(course["source_text"])
    graded = [c["metadata"]["nbgrader"] for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert {meta["grade_id"]: meta["points"] for meta in graded} == _cells_max()
    assert all(meta["locked"] for meta in graded)
    # Generated, not maintained: a second course gets the same notebook, byte for byte, and an
    # existing config is kept.
    (tmp_path / "nbgrader_config.py").write_text("# mine\n")
    written = init_course(tmp_path, COURSE_ID)
    assert written["config"] == (tmp_path / "nbgrader_config.py", False)
    assert (tmp_path / "nbgrader_config.py").read_text() == "# mine\n"
    assert written["notebook"].read_text() == (course["dir"] / "source" / "backprop" / "backprop.ipynb").read_text()


def test_init_with_a_rubric_puts_its_points_everywhere(tmp_path):
    from grader.cli.commands import rubric_toml
    from grader.nbgrader.course import init_course

    rubric = tmp_path / "rubric.toml"  # the points live in the op modules: a full rubric is written out
    rubric.write_text(rubric_toml(load_rubric()).replace("[points.mul]\nsame_shape = 3", "[points.mul]\nsame_shape = 9"))
    written = init_course(tmp_path / "course", rubric_path=rubric)
    assert f"c.TrustedScores.rubric = {str(rubric)!r}" in written["config"][0].read_text()
    notebook = json.loads(written["notebook"].read_text())
    (cell,) = _cells(notebook, score_id("mul"))
    assert cell["metadata"]["nbgrader"]["points"] == 18
    assert f'score("mul", Mul, rubric={str(rubric)!r})' in _source(cell)


@pytest.mark.slow
def test_release_holds_no_solution_and_no_hidden_test(course):
    release = course["release_text"]
    body_lines = set()
    inside = False
    for line in SOLUTION_SOURCE.splitlines():
        if line.strip() in ("### BEGIN SOLUTION", "### END SOLUTION"):
            inside = line.strip() == "### BEGIN SOLUTION"
        elif inside and line.strip():
            body_lines.add(line.strip())
    leaked = [line for line in body_lines if json.dumps(line)[1:-1] in release]
    assert not leaked
    assert "BEGIN HIDDEN TESTS" not in release and "hidden import score" not in release
    assert "raise NotImplementedError()" in release


@pytest.mark.slow
def test_the_batch_grades_everyone(course, cell_scores):
    assert sorted(cell_scores) == course["roster"]
    assert "Cell with id 'answer_mul' exists multiple times!" in course["autograde_log"]  # dup_cell's copy
    assert "SchemaTooOldError" not in course["autograde_log"]
    for student, grades in cell_scores.items():
        assert sorted(grades) == sorted(_cells_max()), student
        assert not any(manual for _, _, manual in grades.values()), student


@pytest.mark.parametrize("student", ["ref", "dup_cell", "stderr"])
@pytest.mark.slow
def test_correct_notebooks_get_full_marks(cell_scores, student):
    assert {name: score for name, (score, _, _) in cell_scores[student].items()} == _cells_max()


@pytest.mark.slow
def test_untouched_release_gets_zero(cell_scores):
    assert all(score == 0 for score, _, _ in cell_scores["blank"].values())


@pytest.mark.parametrize("op_key", sorted(BUGS))
@pytest.mark.slow
def test_a_classic_bug_loses_exactly_its_points_on_its_op(cell_scores, grade_source, op_key):
    expected = grade_source(with_snippet(CORPUS / "wrong" / f"{BUGS[op_key]}.py")).ops
    got = {name: score for name, (score, _, _) in cell_scores[f"wrong_{op_key}"].items()}
    # An op bug costs at most the capstone's milestone (it runs on the student's ops), never its graph logic.
    full, milestone = _cells_max()[CAPSTONE_CELL], load_rubric().parts["capstone"]["milestone"]
    assert got.pop(CAPSTONE_CELL) in (full, full - milestone)
    assert got == {score_id(key): result.score for key, result in expected.items()}
    assert got[score_id(op_key)] < _op_max()[op_key]
    assert all(got[score_id(key)] == points for key, points in _op_max().items() if key != op_key)


@pytest.mark.xfail(not _sandboxed(), strict=True,
                   reason="needs the sandbox (grader.sandbox): in-process, the notebook's code runs in the grader")
@pytest.mark.slow
def test_hostile_notebook_gets_zero(cell_scores):
    assert {name: score for name, (score, _, _) in cell_scores[HOSTILE].items()} == \
        {name: 0.0 for name in _cells_max()}


@pytest.mark.slow
def test_feedback_shows_the_checks_and_no_hidden_source(course):
    for student in course["roster"]:
        text = _feedback_text(course, student)
        assert "BEGIN HIDDEN TESTS" not in text and "hidden import score" not in text, student
        assert 'score("mul", Mul)' not in text, student
    wrong = _feedback_text(course, "wrong_mul")
    assert "Mul: 0/12 points" in wrong and "FAIL same_shape" in wrong and "Minimal failing example" in wrong
    assert "Add: 12/12 points" in wrong and "PASS same_shape" in wrong
    for student in ("blank", HOSTILE):  # no reference code reaches a student who did not write it
        text = _feedback_text(course, student)
        assert "_sum_to_shape" not in text and "np.add.at(grad_weight, self.indices, grad_out)" not in text
    assert "Mul.backward is not implemented yet" in _feedback_text(course, "blank")


@pytest.mark.slow
def test_export_totals(course, cell_scores):
    with open(course["dir"] / "grades.csv", newline="") as table:
        rows = {row["student_id"]: row for row in csv.DictReader(table)}
    assert sorted(rows) == course["roster"]
    for student, grades in cell_scores.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(score for score, _, _ in grades.values()))
        assert float(rows[student]["max_score"]) == sum(_cells_max().values())
    assert float(rows["ref"]["score"]) == 120.0 and float(rows["blank"]["score"]) == 0.0


@pytest.mark.slow
def test_a_wrong_tape_walker_loses_what_batch_takes_and_no_op_point(course, cell_scores, tmp_path):
    from grader.ops.capstone.session import grade_submission

    got = {name: score for name, (score, _, _) in cell_scores["walker_overwrite"].items()}
    capstone = got.pop(CAPSTONE_CELL)
    assert got == {score_id(key): points for key, points in _op_max().items()}
    # The same walker in a graph.py beside ops.py, graded as `grader batch` grades it (sandbox, reference).
    given = (Path(__file__).resolve().parent.parent / "solutions" / "backprop" / "graph.py").read_text(encoding="utf-8")
    (tmp_path / "ops.py").write_text(SOLUTION_SOURCE, encoding="utf-8")
    (tmp_path / "graph.py").write_text(given[:given.index("def backward(loss):")] +
                                       (CAPSTONE_CORPUS / "wrong" / "overwrite.py").read_text(encoding="utf-8"))
    batch = grade_submission(tmp_path, load_rubric())
    assert capstone == batch.score < _cells_max()[CAPSTONE_CELL]
    text = _feedback_text(course, "walker_overwrite")
    for shown in ("Capstone: ", "network gradients, in backward order", "WRONG", "fan_out", "overwritten"):
        assert shown in text, shown


@pytest.mark.slow
def test_an_op_cell_that_does_not_load_costs_that_op_and_the_milestone_only(cell_scores):
    got = {name: score for name, (score, _, _) in cell_scores["broken_embedding_cell"].items()}
    assert got.pop(score_id("embedding")) == 0.0
    assert got.pop(CAPSTONE_CELL) == _cells_max()[CAPSTONE_CELL] - load_rubric().parts["capstone"]["milestone"]
    assert got == {name: points for name, points in _cells_max().items() if name in got}


@pytest.mark.slow
def test_the_capstone_feedback_has_its_loss_plot_and_no_hidden_source(course):
    page = (course["dir"] / "feedback" / "ref" / "backprop" / "backprop.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 1   # the loss plot, in the capstone's graded cell
    text = _feedback_text(course, "ref")
    assert "Capstone: 20/20 points" in text and "training: loss" in text
    assert "score_capstone(globals()" not in text
    # The walker's solution is not in the release; its stub is.
    assert "t.grad = g if t.grad is None else t.grad + g" in course["source_text"]
    assert "t.grad = g if t.grad is None else t.grad + g" not in course["release_text"]
    assert "def backward(loss):" in course["release_text"]


# --------------------------------------------------------------------------- answer extraction

def _notebook_of(cells):
    notebook = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": grade_id}},
                           "source": source, "outputs": []} for grade_id, source in cells]}
    return notebook


def test_answers_are_the_answer_cells_each_run_on_its_own(tmp_path):
    path = tmp_path / "backprop.ipynb"
    path.write_text(json.dumps(_notebook_of([
        ("setup", "import numpy as np"),
        (answer_id("mul"), "class Mul:\n    pass\nraise ValueError('a stray test call')\n"),
        (answer_id("add"), "class Add(:\n"),                      # does not compile
        ("check_mul", "class Max:\n    pass\n"),                # not an answer cell
        (answer_id("sigmoid"), "%timeit 1\nclass Sigmoid:\n    x = np.zeros(1)\n"),
    ])))
    submission = read_answers(path)
    runner = InProcessRunner(submission.source, submission.filename)
    assert runner.load_error == ""
    assert runner.missing(OP_BY_KEY["mul"]) == "" and runner.missing(OP_BY_KEY["sigmoid"]) == ""
    assert runner.missing(OP_BY_KEY["add"]) and runner.missing(OP_BY_KEY["max"])
    assert "cell answer_mul raised ValueError: a stray test call" in runner.captured_output
    assert "cell answer_add raised SyntaxError: " in runner.captured_output


def test_the_notebooks_handout_leaves_out_pip_and_pytest_and_links_nowhere():
    """The notebook travels alone and runs no pytest: no install section, no relative links."""
    from grader.nbgrader.course import stub_docstring
    from grader.nbgrader.notebook import build_notebook

    root = Path(__file__).resolve().parent.parent
    notebook = build_notebook(SOLUTION_SOURCE, stub_docstring(), root / "assignments" / "backprop" / "README.md",
                              load_rubric())
    handout = "\n".join(cell["source"] for cell in notebook["cells"] if cell["id"].startswith("handout-"))
    assert "## 3. The theory you need" in handout and "### 3.8" in handout
    assert "pip install" not in handout and "## 2. Running the tests" not in handout
    assert "](ops.py)" not in handout and "[`ops.py`]" not in handout and "`ops.py`" in handout
    assert "](https://cs231n.github.io/optimization-2/)" in handout  # URLs stay links


def test_the_public_checks_cell_runs_with_the_students_grader(capsys):
    """The check cells call check() from a locked cell that imports only what the students'
    copy of the grader holds (grader release); run here as the kernel would run it."""
    from grader.nbgrader.notebook import PUBLIC_CHECKS
    from grader.paths import load_trusted
    from grader.instructor.release import STUDENT_FILES, STUDENT_FOLDERS

    imported = {alias.name if isinstance(node, ast.Import) else node.module
                for node in ast.walk(ast.parse(PUBLIC_CHECKS)) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    shipped = set(STUDENT_FOLDERS) | {name.removesuffix(".py") for name in STUDENT_FILES if "/" not in name}
    assert {name.split(".")[1] for name in imported if name.startswith("grader.")} <= shipped
    namespace = {}
    exec(compile(PUBLIC_CHECKS, "public_checks", "exec"), namespace)
    reference = load_trusted(solutions_path(), "nbgrader_cells_reference")
    namespace["check"]("sigmoid", reference.Sigmoid)
    assert "12/12" in capsys.readouterr().out
    stub = load_trusted(Path(__file__).resolve().parent.parent / "assignments" / "backprop" / "ops.py", "stub")
    namespace["check"]("sigmoid", stub.Sigmoid)
    assert "not implemented" in capsys.readouterr().out


def test_the_hidden_part_scores_in_a_kernel_but_never_while_autograding(capsys, monkeypatch):
    """What `nbgrader validate` of the instructor notebook runs; autograde must not reach it."""
    from grader.nbgrader.hidden import score
    from grader.paths import load_trusted

    reference = load_trusted(solutions_path(), "nbgrader_hidden_reference")
    value = score("sigmoid", reference.Sigmoid)
    assert type(value) is float and value == 12.0
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert score("sigmoid", reference.Sigmoid) == 0.0  # never trust a kernel's score
    assert "TrustedScores" in capsys.readouterr().out


@pytest.mark.slow
def test_a_cell_that_does_not_load_is_named_in_its_feedback(course, tmp_path, monkeypatch, rubric, reference, bank):
    from grader.core.context import GradingContext
    from grader.nbgrader import scoring

    monkeypatch.setitem(scoring._graders, "", GradingContext(reference, rubric, bank))  # the session's bank
    notebook = _reference_submission(json.loads(course["source_text"]), json.loads(course["release_text"]))
    (add,) = _cells(notebook, answer_id("add"))
    add["source"] = _source(add).replace("def backward(self, grad_out):", "def backward(self, grad_out)", 1)
    (mul,) = _cells(notebook, answer_id("mul"))
    mul["source"] = "Mul().backward(1.0)  # a stray test call, before the class\n" + _source(mul)
    path = tmp_path / "backprop.ipynb"
    path.write_text(json.dumps(notebook))
    report, texts = scoring.grade_notebook(path, shrink=False)
    assert {key: op.score for key, op in report.ops.items()} == {**_op_max(), "mul": 0.0, "add": 0.0, "max": 0.0}, texts  # Max needs the Mul cell's helper
    assert "cell answer_add raised SyntaxError: expected ':' (backprop.ipynb, line " in texts["add"]
    assert "cell answer_mul raised NameError: name 'Mul' is not defined" in texts["mul"]


@pytest.mark.slow
def test_trusted_scores_writes_only_the_score_and_checks_the_points(course, tmp_path, monkeypatch,
                                                                   rubric, reference, bank):
    import nbformat
    from traitlets.config import Config

    from grader.core.context import GradingContext
    from grader.nbgrader import scoring
    from grader.nbgrader.preprocessor import TrustedScores

    monkeypatch.setitem(scoring._graders, "", GradingContext(reference, rubric, bank))
    folder = tmp_path / "submitted" / "someone" / "backprop"
    folder.mkdir(parents=True)
    (folder / "backprop.ipynb").write_text(course["release_text"])
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    resources = {"nbgrader": {"student": "someone", "assignment": "backprop", "notebook": "backprop"}}

    notebook = nbformat.from_dict(json.loads(course["release_text"]))
    (cell,) = _cells(notebook, score_id("mul"))
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="forged\n"),
                    nbformat.v4.new_output("error", ename="E", evalue="", traceback=[])]
    notebook, _ = TrustedScores(config=config).preprocess(notebook, resources)
    assert [output.output_type for output in cell.outputs] == ["stream", "execute_result"]
    assert cell.outputs[0].name == "stdout" and cell.outputs[1].data == {"text/plain": "0.0"}

    cell.metadata.nbgrader.points = 5
    with pytest.raises(RuntimeError, match="score_mul is worth 5 points but the rubric gives Mul 12"):
        TrustedScores(config=config).preprocess(notebook, resources)
