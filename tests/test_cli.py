"""`grader grade` as a user meets it: exit codes, one-line errors, the JSON report."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, SOLUTION_SOURCE, STUB_SOURCE


def run_grader(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def one_line_error(result):
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def test_missing_path_is_one_line(tmp_path):
    assert "no such file or folder" in one_line_error(run_grader("grade", tmp_path / "nope.py"))


def test_folder_without_ops_is_one_line(tmp_path):
    assert "holds no ops.py" in one_line_error(run_grader("grade", tmp_path))


def test_bad_rubric_is_one_line(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("[points.mul]\nsame_shap = 3\n")
    message = one_line_error(run_grader("grade", "solutions/backprop/ops.py", "--rubric", rubric))
    assert "no property 'same_shap'" in message


def test_usage_error_exits_nonzero():
    result = run_grader("grade")
    assert result.returncode == 2 and "usage:" in result.stderr


def test_json_report_shape(tmp_path):
    out = tmp_path / "report.json"
    result = run_grader("grade", "tests/samples/broken/ops.py", "--json", out, "--in-process")
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["max_score"] == 100 and 0 < report["score"] < 100
    assert list(report["ops"]) == ["mul", "add", "max", "sigmoid", "matmul", "softmax_ce", "embedding"]
    for op in report["ops"].values():
        assert {"score", "max_score", "checks"} <= set(op)
        assert op["score"] == sum(c["points"] for c in op["checks"])
        for check in op["checks"]:
            assert {"name", "points", "passed", "feedback"} <= set(check)
            assert check["passed"] == (check["points"] == check["max_points"])
            assert check["passed"] or check["feedback"]
    assert report["ops"]["add"]["score"] == report["ops"]["add"]["max_score"]
    assert report["ops"]["mul"]["score"] < report["ops"]["mul"]["max_score"]
    # the table names each failing property with its reason
    assert "broadcast" in result.stdout and "grad_b has shape" in result.stdout


@pytest.mark.parametrize("layout", ["ops.py", "backprop/ops.py"])
def test_folder_submissions(tmp_path, layout):
    target = tmp_path / layout
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SOLUTION_SOURCE)
    out = tmp_path / "r.json"
    assert run_grader("grade", tmp_path, "--json", out, "-q", "--in-process").returncode == 0
    assert json.loads(out.read_text())["score"] == 100


def _report_for(tmp_path, source):
    path, out = tmp_path / "ops.py", tmp_path / "r.json"
    path.write_text(source)
    result = run_grader("grade", path, "--json", out, "--in-process")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return json.loads(out.read_text()), result.stdout


def test_syntax_error_gives_a_zero_report_with_the_error(tmp_path):
    report, stdout = _report_for(tmp_path, SOLUTION_SOURCE.replace("class Max:", "class Max", 1))
    assert report["score"] == 0
    assert "does not compile" in report["load_error"] and "line" in report["load_error"]
    assert "does not compile" in stdout


def test_missing_class_costs_that_op_only(tmp_path):
    report, _ = _report_for(tmp_path, SOLUTION_SOURCE.replace("class Sigmoid:", "class Sigmoidal:"))
    assert report["ops"]["sigmoid"]["score"] == 0
    assert "has no class Sigmoid" in report["ops"]["sigmoid"]["checks"][0]["feedback"]
    assert report["score"] == 100 - report["ops"]["sigmoid"]["max_score"]


def test_exception_at_import_is_summarised(tmp_path):
    report, _ = _report_for(tmp_path, "import numpy as np\nraise RuntimeError('boom')\n" + STUB_SOURCE)
    assert report["score"] == 0
    assert report["load_error"].startswith("importing ops.py raised RuntimeError: boom")


def test_wrong_return_type_is_named(tmp_path):
    source = SOLUTION_SOURCE + "\n\nclass Sigmoid(Sigmoid):\n    def backward(self, grad_out):\n        return {'x': 1}\n"
    report, _ = _report_for(tmp_path, source)
    reasons = {c["reason"] for c in report["ops"]["sigmoid"]["checks"]}
    assert reasons == {"backward returned a dict; return a tuple (grad_x)"}


def test_properties_lists_the_rubric():
    result = run_grader("properties")
    assert result.returncode == 0 and "matmul.square" in result.stdout and "total" in result.stdout


def test_sandboxed_grading_accepts_ordinary_imports(tmp_path):
    """As root the worker drops to another user, who may not read the Python installation
    (here it lives under /root): every standard-library import a correct file makes must work."""
    header = "import glob, fnmatch, math, functools, typing\nfrom numpy.typing import NDArray\n"
    path, out = tmp_path / "ops.py", tmp_path / "r.json"
    path.write_text(header + SOLUTION_SOURCE)
    assert run_grader("grade", path, "--json", out, "-q").returncode == 0
    assert json.loads(out.read_text())["score"] == 100


def test_a_file_that_is_not_utf8_gets_a_zero_report_not_a_usage_error(tmp_path):
    """The student's mistake, like a syntax error: a report scoring 0 that says what to do."""
    path, out = tmp_path / "ops.py", tmp_path / "r.json"
    path.write_bytes(SOLUTION_SOURCE.encode().replace(b"Backprop homework", b"Backprop homework \xe9t\xe9", 1))
    result = run_grader("grade", path, "--json", out)
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["score"] == 0 and "save ops.py as UTF-8" in report["load_error"]
    assert "save ops.py as UTF-8" in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_a_notebook_is_graded_in_the_sandbox_from_its_code(tmp_path):
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": SOLUTION_SOURCE},
             {"cell_type": "code", "metadata": {}, "outputs": [], "source": "from grader.pytest_plugin import property_tests"}]
    path, out = tmp_path / "work.ipynb", tmp_path / "r.json"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert run_grader("grade", path, "--json", out, "-q").returncode == 0
    report = json.loads(out.read_text())
    assert report["score"] == 100 and "cell 2 raised PermissionError" in report["student_output"]
