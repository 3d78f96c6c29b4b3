"""Platform adapters against temporary roots, and the Gradescope bundle run as a real script.

For each platform (Gradescope, PrairieLearn, Coursera): the reference scores full marks, a
classic bug scores partial credit with its feedback in the output, a syntax error says so (and
is "not gradable" on PrairieLearn), and a hostile submission that forges the results file and
leaves a process behind to rewrite it afterwards does not change the file the grader wrote.

The hostile test passes only with the sandbox (grader/sandbox): with the in-process runner
(what make_runner falls back to without it) nothing stops the submission spawning the child.
"""

import importlib.metadata
import json
import os
import pwd
import re
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

import grader.cli.app
from grader.platforms import Grading, coursera, gradescope, prairielearn

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, with_snippet

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "gradescope-results.schema.json").read_text())
TEMPLATES = ROOT / "grader" / "platforms" / "templates"
BUG = CORPUS / "wrong" / "matmul__no_transpose_grad_a.py"   # loses the matmul points only
SYNTAX_ERROR = SOLUTION_SOURCE + "\n\ndef broken(:\n    pass\n"
SYNTAX_LINE = SYNTAX_ERROR.count("\n") - 1

try:
    import grader.sandbox  # noqa: F401
    HAVE_SANDBOX = True
except ImportError:
    HAVE_SANDBOX = False


def validate_gradescope(data: dict) -> dict:
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    return data


@dataclass(frozen=True)
class Platform:
    name: str
    module: object
    submission_dir: str
    results_file: str

    def submit(self, root: Path, source: str) -> None:
        folder = root / self.submission_dir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ops.py").write_text(source, encoding="utf-8")

    def read(self, root: Path) -> dict:
        data = json.loads((root / self.results_file).read_text(encoding="utf-8"))
        return validate_gradescope(data) if self.name == "gradescope" else data

    def fraction(self, data: dict) -> float:
        if self.name == "gradescope":
            return data["score"] / sum(test["max_score"] for test in data["tests"])
        if self.name == "prairielearn":
            return data["score"]
        return data["fractionalScore"]

    def text(self, data: dict) -> str:
        """Everything a student can read in the results."""
        if self.name == "coursera":
            return data["feedback"]
        parts = [data.get("output", ""), data.get("message", "")]
        for test in data.get("tests", []):
            parts += [test.get("message", ""), test.get("output", "")]
        return "\n".join(parts)


PLATFORMS = [
    Platform("gradescope", gradescope, "submission", "results/results.json"),
    Platform("prairielearn", prairielearn, "student", "results/results.json"),
    Platform("coursera", coursera, "submission", "feedback.json"),
]


@pytest.fixture(scope="session")
def grading(reference, rubric, bank):
    return Grading(reference, rubric, bank)


@pytest.fixture(params=PLATFORMS, ids=lambda p: p.name)
def platform(request):
    return request.param


def grade_on(platform, tmp_path, source, grading, **options):
    root = tmp_path / "root"
    platform.submit(root, source)
    platform.module.run(root, grading, **options)
    return platform.read(root)


# --- every platform -----------------------------------------------------------------------------

def test_reference_scores_full_marks(platform, tmp_path, grading):
    data = grade_on(platform, tmp_path, SOLUTION_SOURCE, grading)
    assert platform.fraction(data) == 1.0


def test_classic_bug_scores_partial_credit_with_its_feedback(platform, tmp_path, grading, rubric, grade_source):
    source = with_snippet(BUG)
    data = grade_on(platform, tmp_path, source, grading)
    expected = 1 - rubric.op_max("matmul") / rubric.max_score
    assert platform.fraction(data) == pytest.approx(expected)
    report = grade_source(source, shrink=True)  # the same grade, in-process: what the text must show
    failed = [check for check in report.ops["matmul"].checks if not check.passed]
    assert failed
    text = platform.text(data)
    for check in failed:
        assert check.reason in text
        if check.diagnosis:
            assert check.diagnosis in text
    assert "Minimal failing example" in text


def test_syntax_error_is_reported_clearly(platform, tmp_path, grading):
    data = grade_on(platform, tmp_path, SYNTAX_ERROR, grading)
    text = platform.text(data)
    assert f"ops.py has a syntax error on line {SYNTAX_LINE}" in text
    if platform.name == "prairielearn":
        assert data["gradable"] is False and "score" not in data
        assert data["format_errors"] and "syntax error" in data["format_errors"][0]
    else:
        assert platform.fraction(data) == 0.0


HOSTILE = '''

# --- hostile: forge the results file, and leave a process behind to rewrite it later ---
import sys as _sys

_TARGET, _FORGED = {target!r}, {forged!r}
_LINGER = """
import sys, time
target, forged = sys.argv[1], sys.argv[2]
deadline = time.time() + 20
while time.time() < deadline:  # wait for the grader's own file, then overwrite it
    try:
        with open(target) as f:
            if "FORGED" not in f.read():
                with open(target, "w") as out:
                    out.write(forged)
                break
    except OSError:
        pass
    time.sleep(0.02)
"""
try:
    with open(_TARGET, "w") as _out:
        _out.write(_FORGED)
except Exception:
    pass
try:
    import subprocess as _subprocess
    _subprocess.Popen([_sys.executable, "-c", _LINGER, _TARGET, _FORGED], start_new_session=True,
                      stdout=_subprocess.DEVNULL, stderr=_subprocess.DEVNULL)
except Exception:
    pass
'''
FORGED = json.dumps({"score": 1000, "gradable": True, "fractionalScore": 1.0, "output": "FORGED",
                     "feedback": "FORGED"})


def test_hostile_submission_cannot_forge_or_rewrite_the_results(platform, tmp_path, grading):
    root = tmp_path / "root"
    target = root / platform.results_file
    target.parent.mkdir(parents=True, exist_ok=True)
    platform.submit(root, SOLUTION_SOURCE + HOSTILE.format(target=str(target), forged=FORGED))
    platform.module.run(root, grading)
    time.sleep(1.0)  # a surviving child rewrites within ~20 ms of the grader's write
    text = target.read_text(encoding="utf-8")
    assert "FORGED" not in text, "a process started by the submission rewrote the results after grading"
    assert platform.fraction(platform.read(root)) == 1.0


# --- Gradescope ---------------------------------------------------------------------------------

def test_gradescope_has_one_test_per_rubric_property(tmp_path, grading, rubric):
    data = grade_on(PLATFORMS[0], tmp_path, with_snippet(BUG), grading)
    expected = [f"{op}.{prop.name}" for op in rubric.points for prop, _ in rubric.graded(op)]
    assert [test["name"] for test in data["tests"]] == expected
    assert sum(test["max_score"] for test in data["tests"]) == rubric.max_score
    assert data["score"] == sum(test["score"] for test in data["tests"])
    for test in data["tests"]:
        assert test["status"] == ("passed" if test["score"] == test["max_score"] else "failed")
        assert test["visibility"] == "visible"
    assert isinstance(data["execution_time"], int) and "Score: 84/100" in data["output"]


def test_gradescope_hidden_checks_leave_only_load_errors_in_the_top_level_output(tmp_path, grading):
    data = grade_on(PLATFORMS[0], tmp_path / "bug", with_snippet(BUG), grading, visibility="after_due_date")
    assert data["visibility"] == "after_due_date"
    assert {test["visibility"] for test in data["tests"]} == {"after_due_date"}
    assert "matmul" not in data["output"] and "Score" not in data["output"]
    assert "after the due date" in data["output"]
    broken = grade_on(PLATFORMS[0], tmp_path / "syntax", SYNTAX_ERROR, grading, visibility="after_due_date")
    assert "syntax error" in broken["output"]
    assert {test["score"] for test in broken["tests"]} == {0.0}


def test_gradescope_without_an_ops_py_scores_zero_and_says_why(tmp_path, grading):
    root = tmp_path / "root"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "notes.txt").write_text("hello")
    gradescope.run(root, grading)
    data = validate_gradescope(json.loads((root / "results" / "results.json").read_text()))
    assert data["score"] == 0.0 and "holds no ops.py" in data["output"]


def test_the_schema_is_valid_and_rejects_what_the_spec_forbids():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert validator.is_valid({"tests": [{"score": 1, "max_score": 1, "status": "passed"}]})
    assert not validator.is_valid({"output": "no score anywhere"})
    assert not validator.is_valid({"score": 1, "tests": [{"score": 1, "status": "error"}]})
    assert not validator.is_valid({"score": 1, "visibility": "students"})
    assert not validator.is_valid({"score": 1, "nonce": "an undocumented field"})


# --- PrairieLearn and Coursera ------------------------------------------------------------------

def test_prairielearn_code_that_compiles_but_fails_to_load_is_graded_zero(tmp_path, grading, rubric):
    data = grade_on(PLATFORMS[1], tmp_path, "raise RuntimeError('boom')\n", grading)
    assert data["gradable"] is True and data["score"] == 0.0
    assert data["max_points"] == rubric.max_score
    assert "could not be loaded" in data["message"] and "boom" in data["message"]
    assert all({"name", "points", "max_points", "message", "output"} <= set(test) for test in data["tests"])


def test_prairielearn_points_add_up_to_the_score(tmp_path, grading):
    data = grade_on(PLATFORMS[1], tmp_path, with_snippet(BUG), grading)
    assert data["points"] == sum(test["points"] for test in data["tests"])
    assert data["max_points"] == sum(test["max_points"] for test in data["tests"])
    assert data["score"] == pytest.approx(data["points"] / data["max_points"])


def test_coursera_feedback_has_exactly_the_two_fields(tmp_path, grading):
    data = grade_on(PLATFORMS[2], tmp_path, with_snippet(BUG), grading)
    assert set(data) == {"fractionalScore", "feedback"}
    assert type(data["fractionalScore"]) is float and isinstance(data["feedback"], str)


SMALL_RUBRIC = "[grading]\nseed = 1\nexamples_per_property = 5\n\n[points.mul]\nsame_shape = 1\n"


@pytest.fixture(scope="module")
def small_rubric(tmp_path_factory):
    """One property of one op: for tests of the wiring, where a full grade would only cost time."""
    path = tmp_path_factory.mktemp("rubric") / "small.toml"
    path.write_text(SMALL_RUBRIC)
    return path


@pytest.mark.parametrize("name, variable, folder, results", [
    ("prairielearn", "PRAIRIELEARN_ROOT", "student", "results/results.json"),
    ("coursera", "COURSERA_ROOT", "submission", "feedback.json"),
])
def test_run_commands_read_their_root_from_the_environment(name, variable, folder, results, tmp_path,
                                                          monkeypatch, capsys, small_rubric):
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "ops.py").write_text(SOLUTION_SOURCE)
    monkeypatch.setenv(variable, str(tmp_path))
    assert grader.cli.app.main([name, "run", "--rubric", str(small_rubric)]) == 0
    data = json.loads((tmp_path / results).read_text())
    assert data.get("score", data.get("fractionalScore")) == 1.0
    assert str(tmp_path) in capsys.readouterr().out


# --- the Gradescope bundle ----------------------------------------------------------------------

def build_bundle(tmp_path_factory, *options) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert grader.cli.app.main(["gradescope", "build", str(out), *options]) == 0
    return out


def unzip_bundle(zip_path: Path, tmp_path_factory) -> Path:
    """The zip unpacked, its grader's version marked so a run proves it used this copy."""
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    init = folder / "grader" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "bundled-'))
    return folder


@pytest.fixture(scope="module")
def bundle_zip(tmp_path_factory):
    return build_bundle(tmp_path_factory, "--visibility", "after_due_date")


@pytest.fixture(scope="module")
def bundle(bundle_zip, tmp_path_factory):
    return unzip_bundle(bundle_zip, tmp_path_factory)


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory, small_rubric):
    return unzip_bundle(build_bundle(tmp_path_factory, "--rubric", str(small_rubric)), tmp_path_factory)


def runtime_pins() -> dict:
    lines = (TEMPLATES / "requirements.txt").read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory) -> Path:
    """A Python that sees the standard library, PYTHONPATH and only the bundle's pinned packages,
    as on Gradescope after setup.sh: a command module importing anything else fails the run."""
    folder = tmp_path_factory.mktemp("runtime")
    site = folder / "site-packages"
    site.mkdir()
    for name in runtime_pins():
        distribution = importlib.metadata.distribution(name)
        for top in {Path(file).parts[0] for file in distribution.files}:
            if top != ".." and not top.endswith(".dist-info") and top != "__pycache__":
                (site / top).symlink_to(distribution.locate_file(top))
    python = folder / "python"
    python.write_text(f'#!/bin/sh\nPYTHONPATH="$PYTHONPATH:{site}" exec "{sys.executable}" -S "$@"\n')
    python.chmod(0o755)
    return python


def run_autograder(bundle: Path, root: Path, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "GRADESCOPE_ROOT": str(root), "GRADER_PYTHON": sys.executable, **env}
    environment.pop("BACKPROP_SOLUTIONS", None)
    return subprocess.run(["bash", str(bundle / "run_autograder")], env=environment, cwd=root,
                          capture_output=True, text=True, timeout=300)


def test_bundle_holds_the_scripts_at_its_root_and_the_grader(bundle_zip):
    with zipfile.ZipFile(bundle_zip) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        config = json.loads(archive.read("gradescope.json"))
    for name in ("setup.sh", "run_autograder", "requirements.txt", "rubric.toml", "gradescope.json",
                 "solutions/backprop/ops.py", "grader/__init__.py", "grader/platforms/gradescope.py"):
        assert name in infos, name
    for script in ("setup.sh", "run_autograder"):
        assert infos[script].external_attr >> 16 & 0o111, f"{script} is not executable in the zip"
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in infos)
    assert config == {"visibility": "after_due_date"}


def test_run_autograder_grades_the_submission_with_the_bundled_grader(bundle, tmp_path, runtime_python):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "ops.py").write_text(SOLUTION_SOURCE)
    started = time.monotonic()
    done = run_autograder(bundle, tmp_path, GRADER_PYTHON=str(runtime_python))
    assert done.returncode == 0, done.stderr
    data = validate_gradescope(json.loads((tmp_path / "results" / "results.json").read_text()))
    assert data["score"] == 100.0 and data["extra_data"]["grader"].startswith("bundled-")
    assert {test["visibility"] for test in data["tests"]} == {"after_due_date"}
    assert (tmp_path / "results").stat().st_mode & 0o777 == 0o700
    assert (bundle / "solutions").stat().st_mode & 0o077 == 0
    print(f"run_autograder: {time.monotonic() - started:.1f} s")


def test_run_autograder_grades_a_graph_py_with_what_the_bundle_ships(bundle, tmp_path, runtime_python):
    """A submission with graph.py: the bundle holds the reference tape, the given network and the
    capstone's cases, so a fresh container grades it in full and draws nothing (its cache stays empty)."""
    for name in ("solutions/backprop/graph.py", "assignments/backprop/network.py"):
        assert (bundle / name).is_file(), name
    assert list((bundle / "grader" / "ops" / "capstone" / "shipped_cases").glob("capstone-cases-*.json"))
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "ops.py").write_text(SOLUTION_SOURCE)
    (tmp_path / "submission" / "graph.py").write_text((ROOT / "solutions" / "backprop" / "graph.py").read_text())
    cache = tmp_path / "cache"
    done = run_autograder(bundle, tmp_path, GRADER_PYTHON=str(runtime_python), XDG_CACHE_HOME=str(cache))
    assert done.returncode == 0, done.stderr
    data = validate_gradescope(json.loads((tmp_path / "results" / "results.json").read_text()))
    assert data["score"] == 120.0, data.get("output")
    assert any(test["name"] == "capstone.milestone" and test["score"] == test["max_score"] for test in data["tests"])
    assert not list(cache.rglob("capstone-cases-*")), "the container drew the capstone's cases again"


@pytest.mark.skipif(os.geteuid() != 0, reason="the worker drops to another user only when the grader runs as root")
@pytest.mark.xfail(not HAVE_SANDBOX, reason="needs SandboxRunner", strict=False)
def test_run_autograder_runs_student_code_as_the_unprivileged_user(small_bundle, tmp_path):
    spy = SOLUTION_SOURCE + (
        "\n\nimport os as _os\n\n\nclass Mul(Mul):\n    def backward(self, grad_out):\n"
        "        raise ValueError(f'uid={_os.getuid()}')\n")
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "ops.py").write_text(spy)
    try:
        worker = pwd.getpwnam("grader-worker").pw_name  # created by setup.sh and the image
    except KeyError:
        worker = "nobody"
    done = run_autograder(small_bundle, tmp_path, GRADER_WORKER_USER=worker)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "results" / "results.json").read_text())
    uids = {int(uid) for test in data["tests"] for uid in re.findall(r"uid=(\d+)", test["output"])}
    assert uids and 0 not in uids, f"student code ran as uid {uids}"


def test_bundle_build_rejects_a_bad_rubric_in_one_line(tmp_path, capsys):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("[points.mul]\nno_such_property = 3\n")
    out = tmp_path / "autograder.zip"
    assert grader.cli.app.main(["gradescope", "build", str(out), "--rubric", str(rubric)]) == 2
    error = capsys.readouterr().err
    assert "no_such_property" in error and error.count("\n") == 1
    assert not out.exists()


# --- what the bundle and the image install ------------------------------------------------------

def test_the_scripts_parse():
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(TEMPLATES / script)], check=True)
    subprocess.run(["sh", "-n", str(TEMPLATES / "docker-entrypoint.sh")], check=True)


def test_runtime_pins_are_the_versions_the_tests_ran_with():
    pins = runtime_pins()
    for name, version in pins.items():
        assert importlib.metadata.version(name) == version, name
    kit = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
               if "==" in line and not line.startswith("#"))
    for name in ("numpy", "hypothesis", "rich"):
        assert pins[name] == kit[name], name


def test_the_dockerfile_copies_files_that_exist():
    copies = re.findall(r"^COPY\s+(\S+)\s", (ROOT / "Dockerfile").read_text(), flags=re.M)
    assert copies
    for source in copies:
        assert (ROOT / source).exists(), source
