"""Course folders: course.toml's op modules, with their trusted references, become the graded ops.

The loader turns every problem with a folder into one CourseError line (exit 2 on the command
line), and a loaded course drives the rubric, the reference and the grade: a course op is graded
like a built-in, a kept built-in is unchanged, a replaced built-in is gone.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.core.bank import Bank
from grader.core.grade import grade
from grader.core.oracles import Reference
from grader.ops import registry
from grader.run.in_process import InProcessRunner

ROOT = Path(__file__).resolve().parent.parent
TANH = ROOT / "tests" / "courses" / "tanh"
SOLUTIONS = (ROOT / "solutions" / "backprop" / "ops.py").read_text(encoding="utf-8")
TANH_RIGHT = (TANH / "tanh_reference.py").read_text(encoding="utf-8")
TANH_WRONG = TANH_RIGHT.replace("(1.0 - self.out ** 2)", "(1.0 - self.out)")


@pytest.fixture
def course_dir(tmp_path):
    folder = tmp_path / "course"
    shutil.copytree(TANH, folder)
    return folder


def graded(course, source):
    rubric = course.rubric()
    oracle = Reference(course.reference())
    runner = InProcessRunner(source, "ops.py")
    try:
        return grade("ops.py", runner, oracle, rubric, Bank(oracle, rubric), shrink=False)
    finally:
        runner.close()


def test_a_course_declares_its_ops_in_order():
    course = registry.load_course(TANH)
    assert course.contract.keys == ("mul", "tanh")
    assert course.rubric().points == {"mul": dict(registry.builtin().contract["mul"].points),
                                      "tanh": {"values": 6, "upstream": 2, "no_mutation": 2}}
    assert course.reference().Tanh.__name__ == "Tanh" and course.reference().Mul.__name__ == "Mul"


def test_a_course_op_is_graded_and_its_mistake_diagnosed():
    course = registry.load_course(TANH)
    right = graded(course, SOLUTIONS + "\n\n" + TANH_RIGHT)
    assert right.score == right.max_score == 22
    wrong = graded(course, SOLUTIONS + "\n\n" + TANH_WRONG)
    # A wrong value on the base family costs every tanh property (cases.py), and nothing of mul.
    assert wrong.ops["mul"].score == 12 and wrong.ops["tanh"].score == 0
    values = wrong.ops["tanh"].checks[0]
    assert not values.passed and values.mistake == "missing_square", values.diagnosis


def test_a_course_op_replaces_the_builtin_of_its_key(course_dir):
    module = course_dir / "tanh.py"
    module.write_text(module.read_text().replace('key="tanh"', 'key="sigmoid"').replace('Property("tanh"', 'Property("sigmoid"'))
    (course_dir / "course.toml").write_text('[course]\nbuiltins = ["mul", "sigmoid", "add"]\n\n'
                                            '[[ops]]\nmodule = "tanh.py"\nreference = "tanh_reference.py"\n')
    course = registry.load_course(course_dir)
    assert course.contract.keys == ("mul", "add", "sigmoid")
    assert course.contract["sigmoid"].class_name == "Tanh"
    assert [prop.name for prop in course.contract["sigmoid"].properties] == ["values", "upstream", "no_mutation"]


def test_the_bank_key_changes_with_the_course_files(course_dir):
    first = repr(registry.load_course(course_dir).rubric())
    reference = course_dir / "tanh_reference.py"
    reference.write_text(reference.read_text() + "\n# edited\n")
    assert repr(registry.load_course(course_dir).rubric()) != first
    assert repr(registry.builtin().rubric()) == repr(registry.builtin().rubric())


BROKEN = {
    "no folder": (lambda d: shutil.rmtree(d), "course folder not found"),
    "no toml": (lambda d: (d / "course.toml").unlink(), "has no course.toml"),
    "bad toml": (lambda d: (d / "course.toml").write_text("[course\n"), "cannot be read"),
    "unknown section": (lambda d: (d / "course.toml").write_text("[points]\n"), "unknown section"),
    "unknown key": (lambda d: (d / "course.toml").write_text("[[ops]]\nmodule = 'tanh.py'\nref = 'x'\n"),
                    "unknown key"),
    "unknown builtin": (lambda d: (d / "course.toml").write_text("[course]\nbuiltins = ['relu']\n"), "unknown op"),
    "no op": (lambda d: (d / "course.toml").write_text("[course]\nbuiltins = false\n"), "has no op"),
    "missing module": (lambda d: (d / "tanh.py").unlink(), "module file not found"),
    "module raises": (lambda d: (d / "tanh.py").write_text("1 / 0\n"), "cannot be imported: ZeroDivisionError"),
    "no OP": (lambda d: (d / "tanh.py").write_text("X = 1\n"), "defines no OP"),
    "missing reference": (lambda d: (d / "tanh_reference.py").unlink(), "reference file not found"),
    "stray points": (lambda d: (d / "tanh.py").write_text((d / "tanh.py").read_text().replace(
        '"values": 6', '"value": 6')), "unknown properties"),
    "twice": (lambda d: (d / "course.toml").write_text("[[ops]]\nmodule = 'tanh.py'\nreference = 'tanh_reference.py'\n" * 2),
              "declared twice"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_course_is_one_line(course_dir, case):
    breaks, words = BROKEN[case]
    breaks(course_dir)
    with pytest.raises(registry.CourseError, match=words) as raised:
        registry.load_course(course_dir)
    assert "\n" not in str(raised.value)


def test_a_reference_without_its_class_is_one_line(course_dir):
    (course_dir / "tanh_reference.py").write_text("class Other:\n    pass\n")
    with pytest.raises(registry.CourseError, match="has no class Tanh"):
        registry.load_course(course_dir).reference()


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env)


def test_the_command_line_refuses_a_bad_course_in_one_line(course_dir):
    (course_dir / "course.toml").write_text("[course\n")
    done = cli("properties", "--course", str(course_dir))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "cannot be read" in done.stderr
    assert "Traceback" not in done.stderr


def test_grader_grade_and_properties_take_the_course(tmp_path, monkeypatch):
    done = cli("properties", "--course", str(TANH))
    assert done.returncode == 0 and "tanh.values" in done.stdout and "sigmoid" not in done.stdout
    submission = tmp_path / "ops.py"
    submission.write_text(SOLUTIONS + "\n\n" + TANH_WRONG)
    env = dict(__import__("os").environ, GRADER_COURSE=str(TANH), XDG_CACHE_HOME=str(tmp_path / "cache"))
    done = cli("grade", str(submission), "--json", str(tmp_path / "r.json"), "-q", "--no-shrink", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert list(report["ops"]) == ["mul", "tanh"] and report["score"] == 12 and report["max_score"] == 22


def test_a_course_op_without_a_reference_cannot_be_graded(course_dir):
    (course_dir / "course.toml").write_text('[course]\nbuiltins = false\n\n[[ops]]\nmodule = "tanh.py"\n')
    course = registry.load_course(course_dir)
    with pytest.raises(registry.CourseError, match="has no class Tanh"):
        course.reference()


def test_the_release_of_a_course_carries_its_ops_and_no_reference(tmp_path):
    from grader.instructor.release import build_release

    out = build_release(tmp_path / "release", TANH)
    stubs = (out / "backprop" / "ops.py").read_text()
    assert "class Mul" in stubs and 'raise NotImplementedError("Tanh.backward is not implemented yet")' in stubs
    assert "self.out ** 2" not in stubs and (out / "grader" / "given_ops.py").read_text() == stubs
    assert sorted(p.name for p in (out / "grader" / "course").iterdir()) == ["course.toml", "tanh.py"]
    assert "reference" not in (out / "grader" / "course" / "course.toml").read_text()
    assert "| `Tanh` | `forward(x)` | `grad_x` | tanh(x) elementwise |" in (out / "README.md").read_text()
    (out / "backprop" / "ops.py").write_text(SOLUTIONS + "\n\n" + TANH_WRONG)
    env = {k: v for k, v in __import__("os").environ.items() if k != "GRADER_COURSE"}
    done = subprocess.run([sys.executable, "-m", "grader", "check", "-q", "--no-shrink"], capture_output=True,
                          text=True, cwd=out, env=dict(env, PYTHONPATH=str(out)))
    assert done.returncode == 0, done.stderr
    assert "tanh" in done.stdout and "12/22" in done.stdout, done.stdout


def test_the_gradescope_bundle_carries_the_course_and_grades_with_it(tmp_path, tmp_path_factory):
    from test_platforms import build_bundle, run_autograder, unzip_bundle

    bundle = unzip_bundle(build_bundle(tmp_path_factory, "--course", str(TANH)), tmp_path_factory)
    assert sorted(p.name for p in (bundle / "solutions" / "course").iterdir()) == [
        "course.toml", "tanh.py", "tanh_reference.py"]
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "ops.py").write_text(SOLUTIONS + "\n\n" + TANH_WRONG)
    env = {"GRADER_COURSE": ""}  # the bundle's own course, whatever the caller's environment says
    done = run_autograder(bundle, tmp_path, **env)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "results" / "results.json").read_text())
    assert data["score"] == 12.0 and {test["name"].split(".")[0] for test in data["tests"]} >= {"mul", "tanh"}, data


@pytest.mark.slow
def test_nbgrader_init_takes_the_course(tmp_path):
    pytest.importorskip("nbgrader")
    done = cli("nbgrader", "init", str(tmp_path / "nb"), "--course", str(TANH))
    assert done.returncode == 0, done.stderr
    config = (tmp_path / "nb" / "nbgrader_config.py").read_text()
    assert f'os.environ["GRADER_COURSE"] = {str(TANH)!r}' in config  # autograde grades the course's ops
    notebook = json.loads((tmp_path / "nb" / "source" / "backprop" / "backprop.ipynb").read_text())
    graded = {cell["metadata"]["nbgrader"]["grade_id"]: cell["metadata"]["nbgrader"]["points"]
              for cell in notebook["cells"] if cell["metadata"].get("nbgrader", {}).get("grade")}
    assert graded == {"score_mul": 12, "score_tanh": 10}


def test_grader_properties_toml_writes_a_complete_rubric_of_the_course(tmp_path):
    done = cli("properties", "--toml", "--course", str(TANH))
    assert done.returncode == 0, done.stderr
    (tmp_path / "rubric.toml").write_text(done.stdout)
    course = registry.load_course(TANH)
    assert course.rubric(tmp_path / "rubric.toml").points == course.rubric().points
    assert "[points.tanh]\nvalues = 6\nupstream = 2\nno_mutation = 2\n" in done.stdout
