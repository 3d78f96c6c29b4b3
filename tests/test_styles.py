"""A correct file scores full however it is written: tests/styles/ in every runner.

Each style file (tests/styles/README.md) is graded in-process against the reference, in the
sandbox by a started worker and by a forked one (reports identical to in-process, byte for
byte), with the public checks' Numeric oracle (what ``pytest`` and ``grader check`` use), and
through the public test file itself for one style. A style that loses a point anywhere is a
grader bug: the grader must not care how a correct file is written.
"""

import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SOLUTION_SOURCE
from grader.core.bank import Bank
from grader.core.grade import grade
from grader.core.oracles import Numeric
from grader.paths import given_path, load_trusted
from grader.run.in_process import InProcessRunner
from grader.sandbox import launchers
from grader.sandbox.sandbox_runner import SandboxRunner

STYLES = sorted((ROOT / "tests" / "styles").glob("*.py"))
MARKER = "# {reference}"
PATIENT = dict(call_timeout=60.0, op_timeout=120.0)   # about what is reported, not the clock


def style_source(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if MARKER in text:
        return text.replace(MARKER, SOLUTION_SOURCE, 1)
    return SOLUTION_SOURCE + "\n\n" + text


def lost(report) -> dict:
    return {f"{key}.{check.name}": check.reason for key, op in report.ops.items()
            for check in op.checks if not check.passed} | ({"load": report.load_error} if report.load_error else {})


def test_every_style_says_what_it_exercises():
    assert len(STYLES) >= 10
    for path in STYLES:
        assert path.read_text(encoding="utf-8").startswith('"""'), path.name


@pytest.mark.parametrize("style", STYLES, ids=lambda p: p.stem)
def test_a_correct_style_scores_full_in_process(style, grade_source):
    report = grade_source(style_source(style))
    assert not lost(report) and "self-test running" not in report.student_output


@pytest.fixture(scope="module")
def public_grade(rubric):
    oracle = Numeric(load_trusted(given_path(), "backprop_given_styles"))
    bank = Bank(oracle, rubric)

    def run(source):
        runner = InProcessRunner(source)
        try:
            return grade("ops.py", runner, oracle, rubric, bank)
        finally:
            runner.close()

    return run


@pytest.mark.parametrize("style", STYLES, ids=lambda p: p.stem)
def test_a_correct_style_passes_the_public_checks(style, public_grade):
    assert not lost(public_grade(style_source(style)))


@pytest.fixture(scope="module")
def fork_server():
    server = launchers.ForkServer()
    yield server
    server.close()


@pytest.mark.slow
def test_every_style_gets_the_in_process_report_in_the_sandbox(reference, rubric, bank, fork_server):
    for path in STYLES:   # build the bank before the threads share it
        for op_key in rubric.points:
            for prop, _ in rubric.graded(op_key):
                bank.examples(prop)
    expected = {}
    for path in STYLES:
        runner = InProcessRunner(style_source(path))
        expected[path.stem] = grade("ops.py", runner, reference, rubric, bank).to_json()
        runner.close()

    def sandboxed(job):
        path, options = job
        runner = SandboxRunner(style_source(path), "ops.py", **PATIENT, **options)
        try:
            return grade("ops.py", runner, reference, rubric, bank)
        finally:
            runner.close()

    jobs = [(path, options) for path in STYLES for options in ({}, {"fork_server": fork_server.address})]
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        reports = list(pool.map(sandboxed, jobs))
    for (path, options), report in zip(jobs, reports):
        where = f"{path.stem} ({'forked' if options else 'started'})"
        assert not lost(report), (where, lost(report))
        assert report.to_json() == expected[path.stem], where


def test_the_public_test_file_passes_on_a_dataclass_style(tmp_path):
    """The pytest plugin loads the file itself, as a student runs ``pytest``."""
    (tmp_path / "ops.py").write_text(style_source(ROOT / "tests/styles/dataclass_future_annotations.py"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(ROOT / "assignments/backprop/test_backprop.py"), "--submission",
                             str(tmp_path / "ops.py")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and " passed" in result.stdout and "failed" not in result.stdout, \
        result.stdout[-2000:]


def test_grader_check_scores_an_inspect_and_singledispatch_style_full(tmp_path):
    (tmp_path / "ops.py").write_text(style_source(ROOT / "tests/styles/singledispatch_inspect.py"))
    result = subprocess.run([sys.executable, "-m", "grader", "check", "-q", "ops.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "100/100" in result.stdout, result.stdout[-2000:] + result.stderr


def test_a_style_that_sets_numpys_print_options_leaves_the_graders_unchanged():
    """In-process (a student's pytest, `grader check`), the student's module runs in the process
    that prints the feedback: its np.set_printoptions must not change how that feedback prints."""
    import numpy as np

    source = style_source(ROOT / "tests" / "styles" / "slots_generators.py")
    assert "np.set_printoptions(precision=3)" in source
    before = np.get_printoptions()
    InProcessRunner(source, "ops.py")
    assert np.get_printoptions() == before
