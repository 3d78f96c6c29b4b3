"""The capstone (grader/ops/capstone/): the tape walker graded on the grader's own ops, the network's
cmp table, the training milestone, in-process and in the sandbox (the ops' own worker)."""

import json
from pathlib import Path

import numpy as np
import pytest

from grader.core.rubric import RubricError
from grader.instructor.stubs import make_stubs
from grader.ops import load_rubric
from grader.ops.capstone import dags, oracle
from grader.ops.capstone.grade import grade_capstone
from grader.ops.capstone.runner import make_runner
from grader.ops.capstone.session import grade_submission
from grader.paths import REPO
from grader.render.capstone import to_json, write_feedback
from grader.run.submission import Submission

SOLUTIONS = REPO / "solutions" / "backprop"
CORPUS = Path(__file__).with_name("capstone_corpus")
OPS = (SOLUTIONS / "ops.py").read_text(encoding="utf-8")
GRAPH = (SOLUTIONS / "graph.py").read_text(encoding="utf-8")
GIVEN = GRAPH[:GRAPH.index("def backward(loss):")]


@pytest.fixture(scope="module")
def reference():
    ref = oracle.Reference()
    return ref, ref.curve()


@pytest.fixture(scope="module")
def rubric():
    return load_rubric()


def grade(ops_source, graph_source, rubric, reference, in_process=True):
    ref, curve = reference
    runner = make_runner(Submission(Path("ops.py"), ops_source, "ops.py"), graph_source, in_process=in_process)
    try:
        return grade_capstone(runner, rubric, ref.grads, curve, getattr(ref, "mistaken_curves", None))
    finally:
        runner.close()


def failed(score) -> list:
    return [check.name for check in score.checks if not check.passed]


def test_the_stub_is_derived_from_the_solution():
    assert (REPO / "assignments" / "backprop" / "graph.py").read_text(encoding="utf-8") == make_stubs(GRAPH)


def test_the_shipped_curve_is_the_reference_curve(reference):
    shipped = json.loads(oracle.CURVE_FILE.read_text(encoding="utf-8"))["losses"]
    assert np.allclose(shipped, reference[1], rtol=0, atol=1e-11)


def test_the_reference_trains_well_below_the_threshold(reference):
    from grader.ops.capstone.grade import THRESHOLD

    assert reference[1][-1] < THRESHOLD / 2   # comfortably: 0.038 after 100 steps


def test_exact_answers_match_central_differences_of_the_linear_graph():
    """The exact gradients are right: the loss is linear in each leaf, so one difference is exact."""
    from grader.ops.capstone.cache import _draw
    from grader.ops.capstone.strategies import FAMILIES

    for name in FAMILIES:
        for case in _draw(name, 3, 1):
            data, jacobians = dags.values(case)
            exact = dags.exact_grads(case)

            def loss(leaves):
                values = list(leaves)
                for number, (inputs, _) in enumerate(case.nodes):
                    floats = [i for i in inputs if not case.slot_is_integer(i)]
                    total = sum(j @ values[i] for j, i in zip(jacobians[number], floats))
                    index = next((i for i in inputs if case.slot_is_integer(i)), None)
                    values.append(total if index is None else total[values[index]])
                return float(np.ravel(values[-1])[0])

            for leaf in range(case.leaves):
                if case.integer[leaf]:
                    continue
                for k in range(case.sizes[leaf]):
                    bumped = [d.copy() for d in data]
                    bumped[leaf] = bumped[leaf] + np.eye(case.sizes[leaf])[k]
                    want = 0.0 if exact[leaf] is None else exact[leaf][k]
                    assert abs(loss(bumped) - loss(data) - want) < 1e-9, (name, case)


def test_the_reference_scores_full_in_process_and_in_the_sandbox_with_the_same_report(rubric, reference):
    inside = grade(OPS, GRAPH, rubric, reference)
    sandboxed = grade(OPS, GRAPH, rubric, reference, in_process=False)
    assert inside.score == inside.max_score == 20
    assert json.dumps(to_json(inside), sort_keys=True) == json.dumps(to_json(sandboxed), sort_keys=True)


def test_the_stub_scores_zero_and_says_what_is_missing(rubric, reference):
    stub = make_stubs(GRAPH)
    score = grade(OPS, stub, rubric, reference)
    assert score.score == 0
    assert all("NotImplementedError" in check.reason for check in score.checks)


def _header(path: Path) -> tuple:
    fails, _, mistakes = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# fails: ").partition(" | mistake: ")
    return sorted(fails.split()), set(mistakes.split()) - {"-"}


WRONG = sorted((CORPUS / "wrong").glob("*.py"))
CORRECT = sorted((CORPUS / "correct").glob("*.py"))


def test_the_corpus_has_at_least_ten_wrong_walkers_and_three_correct_styles():
    assert len(WRONG) >= 10 and {"kahn.py", "reverse_list.py", "dict_dfs.py"} <= {p.name for p in CORRECT}


@pytest.mark.parametrize("path", WRONG, ids=lambda p: p.stem)
def test_a_wrong_walker_loses_exactly_its_capstone_points_and_is_named_only_for_what_it_did(path, rubric, reference):
    fails, mistakes = _header(path)
    score = grade(OPS, GIVEN + path.read_text(encoding="utf-8"), rubric, reference)
    assert sorted(failed(score)) == fails
    named = {check.mistake for check in score.checks if not check.passed} - {""}
    assert named == mistakes


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_a_correct_walker_scores_full(path, rubric, reference):
    score = grade(OPS, GIVEN + path.read_text(encoding="utf-8"), rubric, reference)
    assert failed(score) == [] and score.score == score.max_score


# Op bugs that change the gradient on ordinary values of an op the network uses.
OP_BUGS = ["sigmoid__derivative_of_input", "matmul__no_transpose_grad_a", "softmax_ce__missing_mean",
           "embedding__fancy_index_assign", "add__no_unbroadcast", "sigmoid__ignored_upstream"]


@pytest.mark.parametrize("bug", OP_BUGS)
def test_an_op_bug_costs_the_milestone_and_no_graph_point(bug, rubric, reference):
    snippet = (REPO / "tests" / "corpus" / "wrong" / f"{bug}.py").read_text(encoding="utf-8")
    score = grade(OPS + "\n\n" + snippet, GRAPH, rubric, reference)
    assert failed(score) == ["milestone"]
    op = bug.split("__")[0]
    names = {"sigmoid": "Sigmoid", "matmul": "MatMul", "softmax_ce": "SoftmaxCrossEntropy",
             "embedding": "Embedding", "add": "Add"}
    milestone = score.checks[-1]
    assert names[op] in milestone.diagnosis or "Traceback" not in milestone.reason


@pytest.mark.parametrize("text, match", [("[points.capstone]\nchian = 2\n", "chian"),
                                         ("[points]\ncapstone = 3\n", "must be a table")])
def test_the_rubric_refuses_a_bad_capstone_table(tmp_path, text, match):
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError, match=match):
        load_rubric(path)


def test_a_missing_graph_file_scores_zero_with_one_line(tmp_path, rubric):
    (tmp_path / "ops.py").write_text(OPS, encoding="utf-8")
    score = grade_submission(tmp_path, rubric, in_process=True)
    assert score.score == 0 and "graph.py" in score.error


def test_feedback_md_escapes_student_text_and_shows_the_plot(tmp_path, rubric, reference):
    hostile = GIVEN + 'def backward(loss):\n    raise ValueError("**bold** <b>x</b> \\x1b[31m ```")\n\n' \
        'def sgd_step(params, lr):\n    pass\n'
    score = grade(OPS, hostile, rubric, reference)
    text = write_feedback(score, tmp_path, "alice").read_text(encoding="utf-8")
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import re

    outside = re.sub(r"````text\n.*?\n````\n", "", text, flags=re.S)   # the fence outgrows the student's ```
    assert "\x1b" not in text and "````text" in text and "<b>" not in outside and "**bold**" not in outside
    assert "![training loss" in text


@pytest.fixture(scope="module")
def public():
    numeric = oracle.Numeric()
    return numeric, numeric.curve()


CASES = [("graph", p) for p in WRONG + CORRECT] + [("ops", bug) for bug in OP_BUGS]


@pytest.mark.parametrize("kind, item", CASES, ids=lambda x: getattr(x, "stem", str(x)))
def test_the_public_tests_give_every_capstone_property_the_hidden_verdict(kind, item, rubric, reference, public):
    if kind == "graph":
        ops, graph = OPS, GIVEN + item.read_text(encoding="utf-8")
    else:
        ops = OPS + "\n\n" + (REPO / "tests" / "corpus" / "wrong" / f"{item}.py").read_text(encoding="utf-8")
        graph = GRAPH
    hidden, shown = grade(ops, graph, rubric, reference), grade(ops, graph, rubric, public)
    assert [(c.name, c.passed) for c in hidden.checks] == [(c.name, c.passed) for c in shown.checks]


def test_grading_twice_gives_the_same_report(rubric, reference):
    source = GIVEN + (CORPUS / "wrong" / "bfs.py").read_text(encoding="utf-8")
    first, second = (json.dumps(to_json(grade(OPS, source, rubric, reference)), sort_keys=True) for _ in range(2))
    assert first == second


def _grader(*argv, cwd=REPO):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "grader", *argv], cwd=cwd, capture_output=True, text=True)


def test_grade_adds_the_capstone_to_the_json_when_graph_py_sits_beside_ops_py(tmp_path):
    (tmp_path / "ops.py").write_text(OPS, encoding="utf-8")
    (tmp_path / "graph.py").write_text(GIVEN + (CORPUS / "wrong" / "overwrite.py").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    done = _grader("grade", str(tmp_path), "--json", str(tmp_path / "r.json"), "-q", "--no-shrink")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["score"] == 100 and report["capstone"]["score"] == 4
    assert report["total"] == {"score": 104.0, "max_score": 120.0}   # what the gradebook and platforms count
    assert "overwritten" in done.stdout and "cmp" in done.stdout


def test_grader_capstone_refuses_a_missing_path_with_one_line(tmp_path):
    done = _grader("capstone", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_cached_cases_are_the_drawn_cases_and_grading_from_them_imports_no_hypothesis(tmp_path, monkeypatch, rubric):
    import subprocess
    import sys

    from grader.ops.capstone import cache
    from grader.ops.capstone.grade import draw_all

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr("grader.ops.capstone.grade._DRAWN", {})   # not what this process read before
    drawn = draw_all(rubric)          # draws and stores
    assert list(tmp_path.rglob("capstone-cases-*.json"))
    monkeypatch.setattr("grader.ops.capstone.grade._DRAWN", {})
    assert draw_all(rubric) == drawn  # loads the same cases
    assert drawn["chain"] == cache._draw("chain", len(drawn["chain"]), __import__("grader.ops.capstone.grade",
                                         fromlist=["_seed"])._seed(rubric, "chain"))
    probe = ("import sys; from grader.ops.capstone.grade import draw_all; from grader.ops import load_rubric; "
             "draw_all(load_rubric()); print('hypothesis' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**__import__("os").environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert done.stdout.strip() == "False", done.stderr


def test_properties_toml_lists_the_capstone_and_reads_back_as_the_same_rubric(tmp_path, rubric):
    done = _grader("properties", "--toml")
    assert done.returncode == 0 and "[points.capstone]" in done.stdout, done.stderr
    (tmp_path / "r.toml").write_text(done.stdout, encoding="utf-8")
    again = load_rubric(tmp_path / "r.toml")
    assert again.parts == rubric.parts and again.parts["capstone"]["milestone"] == 5
    # A rubric with [points.<op>] tables and no [points.capstone] leaves the capstone ungraded.
    (tmp_path / "ops.toml").write_text("[points.mul]\nsame_shape = 3\n", encoding="utf-8")
    assert load_rubric(tmp_path / "ops.toml").parts == {"capstone": {}}


def test_a_submission_without_graph_py_is_graded_without_the_capstone(tmp_path):
    (tmp_path / "ops.py").write_text(OPS, encoding="utf-8")
    done = _grader("grade", str(tmp_path), "--json", str(tmp_path / "r.json"), "-q", "--in-process")
    assert done.returncode == 0, done.stderr
    assert not {"capstone", "total"} & set(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")))
    assert "capstone" not in done.stdout


@pytest.mark.parametrize("in_process", [True, False])
def test_a_walker_that_raises_is_named_with_its_line_in_graph_py(in_process, rubric, reference):
    # The harness names the student's last frame with the runner's own calls.student_line.
    walker = GIVEN + "def backward(loss):\n    raise KeyError(3)\n\n\ndef sgd_step(params, lr):\n    pass\n"
    line = walker.count("\n", 0, walker.index("raise KeyError")) + 1
    score = grade(OPS, walker, rubric, reference, in_process=in_process)
    reasons = [check.feedback for check in score.checks if not check.passed] + [score.error]
    assert any(f"raised KeyError: 3 (graph.py, line {line})" in reason for reason in reasons), reasons
