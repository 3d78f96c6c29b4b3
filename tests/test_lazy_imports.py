"""Grading from a stored bank never imports Hypothesis (0.3-0.45 s of a 1 s `grader grade`), nor
the other commands' modules.

Structural, not timed: a fresh `grader grade` of a correct file with its bank cached must leave
Hypothesis (and the batch's and summary's libraries) out of ``sys.modules``.
"""

import json
import os
import subprocess
import sys

import hypothesis

from grader.core import bankfile
from grader.core.bankfile import bank_key, save_bank
from grader.cli.commands import bank_path
from grader.paths import solutions_path

from conftest import ROOT

# Imported by a batch, a summary or a build, never by grading one file from a stored bank; nor
# are the modules of the other commands (cli/app.py builds the parser up to the command run).
NOT_ON_THE_GRADE_PATH = ("hypothesis", "matplotlib", "jsonschema", "rich.progress", "grader.core.strategies",
                         "grader.instructor.batch", "grader.instructor.summary", "grader.instructor.gradebook",
                         "grader.instructor.lms.formats", "grader.instructor.release", "grader.platforms.command",
                         "grader.nbgrader.command")

PROBE = """
import json, sys
from grader.cli.app import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "imported": [m for m in %r if m in sys.modules]}))
""" % (NOT_ON_THE_GRADE_PATH,)


def probe(args, env):
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_grading_from_a_cached_bank_imports_no_hypothesis(tmp_path, monkeypatch, reference, rubric, bank):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = bank_path(reference, rubric)  # where `grader grade` looks
    path.parent.mkdir()
    save_bank(bank, path, bank_key(reference, rubric))
    from grader.ops.capstone.grade import draw_all

    monkeypatch.setattr("grader.ops.capstone.grade._DRAWN", {})   # so that it writes the file
    draw_all(rubric)   # the capstone's cases (solutions/backprop has a graph.py): cached the same way
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    seen = probe(["grade", str(solutions_path()), "--quiet"], env)
    assert seen == {"code": 0, "imported": []}


def test_hypothesis_version_is_read_without_importing_it():
    assert bankfile.hypothesis_version() == hypothesis.__version__


def test_the_bank_key_follows_hypothesis_version(monkeypatch, reference, rubric):
    before = bank_key(reference, rubric)
    monkeypatch.setattr(bankfile, "hypothesis_version", lambda: "0.0.1")
    assert bank_key(reference, rubric) != before


def test_an_unreadable_cached_bank_is_drawn_again_and_grades(tmp_path, monkeypatch, reference, rubric):
    """The cached file loads beside the worker's start; when it does not load, the bank is drawn
    (with no worker alive) and the grade is the same."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = bank_path(reference, rubric)
    path.parent.mkdir()
    path.write_bytes(b"not a bank")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    out = tmp_path / "report.json"
    seen = probe(["grade", str(solutions_path()), "--quiet", "--json", str(out)], env)
    assert seen["code"] == 0 and "hypothesis" in seen["imported"]
    report = json.loads(out.read_text())
    assert report["score"] == report["max_score"] > 0
    assert bankfile.load_bank(path, reference, rubric, bank_key(reference, rubric)) is not None


PARSER_PROBE = """
import json, sys
from grader.cli.app import build_parser
parser = build_parser(sys.argv[1])
commands = next(a for a in parser._actions if a.dest == "command").choices
print(json.dumps({"commands": sorted(commands), "imported": [m for m in %r if m in sys.modules]}))
""" % (tuple(m for m in NOT_ON_THE_GRADE_PATH if m != "grader.platforms.command"),)


def test_a_platform_run_builds_the_parser_of_its_command_only():
    """`grader gradescope run` (once per submission) imports the platforms' commands, not the
    batch's, the summary's or the exports' modules listed before them."""
    result = subprocess.run([sys.executable, "-c", PARSER_PROBE, "gradescope"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert "gradescope" in seen["commands"] and "batch" not in seen["commands"]
    assert seen["imported"] == []


THREADS = """
import os, sys
import grader.cli.app
import numpy
tasks = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
print(os.environ["OPENBLAS_NUM_THREADS"], tasks)
"""


def test_the_grader_runs_numpy_on_one_thread_unless_asked_for_more():
    """OpenBLAS starts a thread per core when NumPy is imported, which the sandbox worker starting
    beside the grader pays for; the grader's arrays are small. A count the user set is kept."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", THREADS], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == ["1", "1"]
    out = subprocess.run([sys.executable, "-c", THREADS], cwd=ROOT, env={**env, "OPENBLAS_NUM_THREADS": "2"},
                         capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert out[0] == "2"
