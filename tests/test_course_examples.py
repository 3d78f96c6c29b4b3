"""The worked-example course, end to end: ops added from a folder of their own, never from grader/.

One course is built from the two examples (examples/tanh/ and examples/layer_norm/, copied as an
instructor would), keeping one built-in op, sigmoid, so a course op's bug can be seen not to
cost a built-in anything (nor the other way round). Then:

* every wrong backward of the examples' corpus loses points on its own op only, every correct
  variant scores full marks, and a mistake the feedback names is the file's (in-process, on one
  bank: the corpus is graded as tests/test_corpus.py grades the kit's);
* a sandboxed submission cannot reach a course op's reference, whatever path it tries;
* slow: ``grader grade --course``, the released repository's public pytest
  (``grader release --course``), nbgrader ``generate_assignment`` + ``autograde`` on a course
  made by ``grader nbgrader init --course``, and the Gradescope bundle's ``run_autograder``.

A corpus file is a snippet in the format of tests/corpus/README.md: it subclasses its op's
reference class and overrides ``backward``; a submission is the kit's reference, the examples'
references, and the snippet, in that order.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SOLUTION_SOURCE

from grader.core.bank import Bank
from grader.core.grade import grade
from grader.core.oracles import Reference
from grader.ops import registry
from grader.run.in_process import InProcessRunner

EXAMPLES = ROOT / "examples"
EXAMPLE_OPS = ("tanh", "layer_norm")
KEPT_BUILTIN = "sigmoid"
# Mistakes of mutation or of state kept between calls: upstream and no_mutation are named for these.
STATE_MISTAKES = {"mutates_grad_out", "mutates_input", "stateful", "memoised_result", "accumulates_across_calls"}
WRONG = sorted(p for name in EXAMPLE_OPS for p in (EXAMPLES / name / "corpus" / "wrong").glob("*.py"))
CORRECT = sorted(p for name in EXAMPLE_OPS for p in (EXAMPLES / name / "corpus" / "correct").glob("*.py"))
REFERENCES = "".join("\n\n" + (EXAMPLES / name / f"{name}_reference.py").read_text(encoding="utf-8")
                     for name in EXAMPLE_OPS)
FINISHED = SOLUTION_SOURCE + REFERENCES  # every op of the course answered as its reference does


def snippet_op(path: Path) -> str:
    return path.name.split("__")[0]


def with_snippet(path: Path) -> str:
    return FINISHED + "\n\n" + path.read_text(encoding="utf-8")


def tags(path: Path) -> tuple:
    """The snippet's MISTAKE and ALSO ids: the causes its feedback may name."""
    text = path.read_text(encoding="utf-8")
    mistake = re.search(r'^MISTAKE = "(\w+)"', text, re.M)
    also = re.search(r"^ALSO = \(([^)]*)\)", text, re.M)
    return ((mistake.group(1),) if mistake else ()) + (tuple(re.findall(r'"(\w+)"', also.group(1))) if also else ())


def make_course(folder: Path) -> Path:
    """The two examples copied into one course folder, with sigmoid as the one built-in kept."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in EXAMPLE_OPS:
        for file in (f"{name}.py", f"{name}_reference.py"):
            shutil.copy(EXAMPLES / name / file, folder / file)
        entries.append(f'[[ops]]\nmodule = "{name}.py"\nreference = "{name}_reference.py"\n')
    (folder / "course.toml").write_text(f'[course]\nbuiltins = ["{KEPT_BUILTIN}"]\n\n' + "\n".join(entries))
    return folder


@pytest.fixture(scope="module")
def course_dir():
    """The course in a world-readable folder: only the sandbox keeps a submission out of it."""
    folder = Path(tempfile.mkdtemp(prefix="course-examples-"))
    make_course(folder / "course")
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield folder / "course"
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def course(course_dir):
    return registry.select(course_dir)


@pytest.fixture(scope="module")
def grading(course):
    rubric = course.rubric()
    oracle = Reference(course.reference())
    return rubric, oracle, Bank(oracle, rubric)


def grade_in_process(source: str, grading):
    rubric, oracle, bank = grading
    runner = InProcessRunner(source, "ops.py")
    try:
        return grade("ops.py", runner, oracle, rubric, bank, shrink=False)
    finally:
        runner.close()


# --------------------------------------------------------------------------- the folders

@pytest.mark.parametrize("name", EXAMPLE_OPS)
def test_each_example_is_a_course_adding_one_op_after_the_builtins(name):
    course = registry.select(EXAMPLES / name)
    keys = [op.key for op in course.contract]
    builtins = [op.key for op in registry.builtin().contract]
    assert keys == builtins + [name]
    op = course.contract[name]
    rubric = course.rubric()
    assert rubric.op_max(name) == sum(op.points.values()) > 0
    assert rubric.max_score == registry.builtin().rubric().max_score + rubric.op_max(name)


def test_loading_the_example_courses_does_not_import_hypothesis():
    """Their strategies import Hypothesis inside the factories: a grade from a stored bank never needs it."""
    code = ("import sys\nfrom grader.ops import registry\n"
            f"for name in {EXAMPLE_OPS!r}:\n    registry.select({str(EXAMPLES)!r} + '/' + name).rubric()\n"
            "assert 'hypothesis' not in sys.modules, sorted(m for m in sys.modules if 'hypothesis' in m)[:3]\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_combined_course_keeps_one_builtin_and_adds_both_examples(course):
    assert [op.key for op in course.contract] == [KEPT_BUILTIN, *EXAMPLE_OPS]


def test_the_examples_corpus_has_the_classic_mistakes_and_correct_variants():
    for name in EXAMPLE_OPS:
        assert sum(snippet_op(p) == name for p in WRONG) >= 5, name
        assert sum(snippet_op(p) == name for p in CORRECT) >= 3, name
    assert all(snippet_op(p) in EXAMPLE_OPS for p in WRONG + CORRECT)


def test_the_references_score_full_marks(grading):
    report = grade_in_process(FINISHED, grading)
    assert report.score == report.max_score == grading[0].max_score
    assert set(report.ops) == {KEPT_BUILTIN, *EXAMPLE_OPS}


@pytest.mark.parametrize("snippet", WRONG, ids=lambda p: p.stem)
def test_wrong_backward_loses_points_on_its_op_only_and_any_cause_named_is_its_own(snippet, course, grading):
    report = grade_in_process(with_snippet(snippet), grading)
    guilty = snippet_op(snippet)
    assert report.ops[guilty].score < report.ops[guilty].max_score, "this bug went unnoticed"
    for key, op in report.ops.items():
        if key != guilty:
            assert op.score == op.max_score, f"{key} lost points for a bug in {guilty}"
    checks = {check.name: check for check in report.ops[guilty].checks}
    base = course.contract[guilty].properties[0].name
    if checks[base].passed and not set(tags(snippet)) & STATE_MISTAKES:
        # A mistake the simplest inputs do not show is not upstream's or no_mutation's to charge.
        for name in ("upstream", "no_mutation"):
            assert checks[name].passed, f"{name} deducted for a mistake its name does not cover: {checks[name].reason}"
    named = {check.mistake for check in report.ops[guilty].checks if check.mistake}
    assert named <= set(tags(snippet)), f"the feedback names {named}, the file's mistake is {tags(snippet)}"


@pytest.mark.parametrize("snippet", CORRECT, ids=lambda p: p.stem)
def test_correct_variant_scores_full_marks(snippet, grading):
    report = grade_in_process(with_snippet(snippet), grading)
    lost = {f"{key}.{c.name}": c.reason for key, op in report.ops.items() for c in op.checks if not c.passed}
    assert not lost


# --------------------------------------------------------------------------- the reference stays trusted

CHEAT = '''

import sys as _sys


def _cheat_reference():
    """The course reference's Tanh, by any path a student might try; None if none works."""
    for path in PATHS:
        try:
            text = open(path).read()
        except Exception:
            continue
        namespace = {}
        exec(compile(text, path, "exec"), namespace)
        return namespace["Tanh"]
    for name, module in list(_sys.modules.items()):
        if "reference" in name and hasattr(module, "Tanh"):
            return module.Tanh
    return None


class Tanh:
    def forward(self, x):
        self.x, self.out = x, np.tanh(x)
        return self.out

    def backward(self, grad_out):
        found = _cheat_reference()
        if found is None:
            return (np.zeros(np.shape(self.x)),)
        answer = found()
        answer.forward(self.x)
        return answer.backward(grad_out)
'''


def grade_sandboxed(source: str, grading):
    """The report of a sandboxed grade, or None when this machine has no sandbox."""
    from grader.run.factory import make_runner
    from grader.run.submission import Submission

    rubric, oracle, bank = grading
    runner = make_runner(Submission(Path("ops.py"), source, "ops.py"))
    try:
        if isinstance(runner, InProcessRunner):
            return None
        return grade("ops.py", runner, oracle, rubric, bank, shrink=False)
    finally:
        runner.close()


def test_a_sandboxed_submission_cannot_use_a_course_reference(course_dir, grading):
    """The cheat scores full marks wherever it can read a reference (in-process: the student's
    own machine), and nothing in the sandbox, where the finished submission still scores full."""
    rubric = grading[0]
    paths = [str(course_dir / "tanh_reference.py"), str(EXAMPLES / "tanh" / "tanh_reference.py")]
    # No Tanh answer in the submission: only a cheat could give the right gradients.
    cheat = SOLUTION_SOURCE + CHEAT.replace("PATHS", repr(paths))
    assert grade_in_process(cheat, grading).ops["tanh"].score == rubric.op_max("tanh"), "the cheat is broken"
    finished = grade_sandboxed(FINISHED, grading)
    if finished is None:
        pytest.skip("no sandbox on this machine")
    assert finished.score == rubric.max_score, "the sandbox does not grade the course ops"
    report = grade_sandboxed(cheat, grading)
    assert report.ops["tanh"].score == 0, "a sandboxed submission read a course reference"
    assert report.ops[KEPT_BUILTIN].score == rubric.op_max(KEPT_BUILTIN)


# --------------------------------------------------------------------------- the front ends (slow)

# One bug per course op, with its expected loss: the whole op (tanh: 1 - t on every example) or
# only the families where it shows (layer_norm: means over axis 0 are right for a single row).
BUGS = {"tanh": EXAMPLES / "tanh" / "corpus" / "wrong" / "tanh__one_minus_tanh.py",
        "layer_norm": EXAMPLES / "layer_norm" / "corpus" / "wrong" / "layer_norm__wrong_axis.py"}


def clean_env(**extra) -> dict:
    """A shell without this test run's settings (no BACKPROP_*/GRADER_* leaking in)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("BACKPROP_", "GRADER_", "PYTEST"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return {**env, **extra}


def grader_cli(*args, cwd=ROOT, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, timeout=900)


def scores_by_op(report: dict) -> dict:
    return {key: op["score"] for key, op in report["ops"].items()}


@pytest.fixture(scope="module")
def expected_scores(grading):
    """What the in-process grader gives the finished submission and each bug, op by op."""
    finished = {key: op.score for key, op in grade_in_process(FINISHED, grading).ops.items()}
    bugs = {key: {k: op.score for k, op in grade_in_process(with_snippet(path), grading).ops.items()}
            for key, path in BUGS.items()}
    for key, scores in bugs.items():
        assert scores[key] < finished[key] and all(scores[k] == finished[k] for k in scores if k != key)
    return {"finished": finished, **bugs}


@pytest.mark.slow
def test_grader_grade_with_the_course(course_dir, expected_scores, tmp_path):
    for name, source in {"finished": FINISHED, **{key: with_snippet(path) for key, path in BUGS.items()}}.items():
        submission, out = tmp_path / f"{name}.py", tmp_path / f"{name}.json"
        submission.write_text(source)
        done = grader_cli("grade", "--course", str(course_dir), str(submission), "--json", str(out), "-q")
        assert done.returncode == 0, done.stderr
        assert scores_by_op(json.loads(out.read_text())) == expected_scores[name], name


@pytest.mark.slow
def test_the_released_public_tests_cover_the_course_ops(course_dir, tmp_path):
    release = tmp_path / "release"
    done = grader_cli("release", "--course", str(course_dir), str(release))
    assert done.returncode == 0, done.stderr
    stubs = (release / "backprop" / "ops.py").read_text()
    for name in ("Tanh", "LayerNorm", "Sigmoid"):
        assert f"class {name}" in stubs
    released = "\n".join(p.read_text(errors="replace") for p in release.rglob("*") if p.is_file())
    assert "BEGIN SOLUTION" not in released and "(1.0 - self.out * self.out)" not in released, \
        "a course reference was shipped to students"

    def public_tests(source):
        (release / "backprop" / "ops.py").write_text(source)
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider"], cwd=release,
                             env=clean_env(), capture_output=True, text=True, timeout=900)
        return run.returncode, set(re.findall(r"^FAILED \S+\[([a-z_]+)[-.]\w+\]", run.stdout, re.M)), run.stdout

    code, failed, output = public_tests(FINISHED)
    assert code == 0 and not failed, output[-3000:]
    for key, path in BUGS.items():
        code, failed, output = public_tests(with_snippet(path))
        assert code == 1 and failed == {key}, output[-3000:]


@pytest.mark.slow
def test_gradescope_run_autograder_with_the_course(course_dir, expected_scores, tmp_path):
    bundle_zip = tmp_path / "autograder.zip"
    done = grader_cli("gradescope", "build", "--course", str(course_dir), str(bundle_zip))
    assert done.returncode == 0, done.stderr
    bundle = tmp_path / "bundle"
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(bundle)
    for name, source in {"finished": FINISHED, "tanh": with_snippet(BUGS["tanh"])}.items():
        root = tmp_path / name
        (root / "submission").mkdir(parents=True)
        (root / "submission" / "ops.py").write_text(source)
        env = clean_env(GRADESCOPE_ROOT=str(root), GRADER_PYTHON=sys.executable)
        run = subprocess.run(["bash", str(bundle / "run_autograder")], cwd=root, env=env, capture_output=True,
                             text=True, timeout=900)
        assert run.returncode == 0, run.stderr
        results = json.loads((root / "results" / "results.json").read_text())
        by_op = {}
        for test in results["tests"]:
            key = test["name"].split(".")[0]
            by_op[key] = by_op.get(key, 0.0) + test["score"]
        assert by_op == expected_scores[name], name
        assert results["score"] == sum(expected_scores[name].values())
    # The course's references travel with the hidden reference, which run_autograder closed to the worker.
    assert {p.name for p in (bundle / "solutions").rglob("*_reference.py")} == {f"{n}_reference.py" for n in EXAMPLE_OPS}
    assert (bundle / "solutions").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_nbgrader_generate_assignment_and_autograde_with_the_course(course_dir, expected_scores, tmp_path):
    pytest.importorskip("nbgrader")
    from nbgrader.api import Gradebook

    from grader.run.cells import answer_id, score_id

    root, course_id = tmp_path / "nbgrader", "course-examples"
    jupyter = root / "jupyter"
    # Only init is told the course: the nbgrader_config.py it writes selects it for every nbgrader run.
    jupyter_dirs = dict(JUPYTER_CONFIG_DIR=str(jupyter / "config"), JUPYTER_DATA_DIR=str(jupyter / "data"),
                        JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"), IPYTHONDIR=str(jupyter / "ipython"))
    env = clean_env(**jupyter_dirs)
    nbgrader_dir = root / "course"
    done = grader_cli("nbgrader", "init", str(nbgrader_dir), "--course-id", course_id, "--course", str(course_dir),
                      **jupyter_dirs)
    assert done.returncode == 0, done.stderr

    def nbgrader(*args):
        run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=nbgrader_dir, env=env,
                             capture_output=True, text=True, timeout=900)
        assert run.returncode == 0 and "error processing" not in run.stderr, f"{args}:\n{run.stdout}\n{run.stderr}"

    nbgrader("generate_assignment", "backprop")
    source = json.loads((nbgrader_dir / "source" / "backprop" / "backprop.ipynb").read_text())
    release = json.loads((nbgrader_dir / "release" / "backprop" / "backprop.ipynb").read_text())
    assert "BEGIN SOLUTION" not in json.dumps(release)

    def cell(notebook, grade_id):
        (found,) = [c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
        return found

    def text(c):
        return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]

    def submission(bug_key=None):
        """The release with every answer cell filled in from the instructor's notebook; with a
        bug, that op's cell also holds the corpus snippet, which overrides its backward."""
        notebook = json.loads(json.dumps(release))
        for key in (KEPT_BUILTIN, *EXAMPLE_OPS):
            answer = text(cell(source, answer_id(key)))
            if key == bug_key:
                answer += "\n\n" + BUGS[key].read_text(encoding="utf-8")
            cell(notebook, answer_id(key))["source"] = answer
        return notebook

    roster = {"finished": submission(), **{key: submission(key) for key in BUGS}}
    for student, notebook in roster.items():
        folder = nbgrader_dir / "submitted" / student / "backprop"
        folder.mkdir(parents=True)
        (folder / "backprop.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    nbgrader("autograde", "backprop")

    with Gradebook(f"sqlite:///{nbgrader_dir / 'gradebook.db'}", course_id=course_id) as gradebook:
        for student in roster:
            graded = gradebook.find_submission("backprop", student)
            scores = {grade.name: grade.auto_score for notebook in graded.notebooks for grade in notebook.grades}
            assert scores == {score_id(key): value for key, value in expected_scores[student].items()}, student
