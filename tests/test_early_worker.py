"""A sandbox worker started first thing (grader/sandbox/early.py) overlaps the grading process's
imports and bank load, and is the same worker as one started late: same confinement, same report.

Structural, not timed: what was imported when the worker was launched, which worker a runner got,
and what a hostile submission can do in it.
"""

import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

from conftest import ROOT, SOLUTION_SOURCE
from grader.core.bankfile import bank_key, save_bank
from grader.core.grade import grade
from grader.cli.commands import bank_path
from grader.sandbox import early, users
from grader.sandbox.sandbox_runner import SandboxRunner
from test_sandbox import EXPECTED, LIMITS, hostile_source, leftovers

# Files that attack what the worker can see or do (files, processes, memory, the grader), rather
# than the protocol: each is graded by a worker started early and by one started late.
CONFINEMENT = ("read_solutions", "write_outside_scratch", "write_report_files", "fork_bomb", "kill_parent",
               "memory_bomb", "patch_numpy", "reference_in_memory", "segfault_ctypes", "exit_at_import")

PROBE = """
import json, sys
from grader.sandbox import launchers
launched = []
original = launchers.Channels.__init__
def recording(self, *args, **kwargs):
    launched.append([m for m in ("numpy", "grader.ops", "grader.core.grade", "grader.core.judge") if m in sys.modules])
    original(self, *args, **kwargs)
launchers.Channels.__init__ = recording
from grader.cli.app import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "launched": launched}))
"""


def test_grader_grade_starts_its_one_worker_before_importing_the_grading_stack(tmp_path, monkeypatch, reference,
                                                                                rubric, bank):
    (tmp_path / "alone").mkdir()   # ops.py alone: no capstone
    shutil.copy(ROOT / "solutions" / "backprop" / "ops.py", tmp_path / "alone" / "ops.py")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = bank_path(reference, rubric)   # where `grader grade` looks: cached, so nothing is drawn
    path.parent.mkdir()
    save_bank(bank, path, bank_key(reference, rubric))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", PROBE, "grade", str(tmp_path / "alone" / "ops.py"), "--quiet"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"code": 0, "launched": [[]]}   # one worker, launched before even NumPy


def test_a_platform_run_starts_its_one_worker_first_too(tmp_path):
    """PrairieLearn's `run` (a fresh container per submission): the worker starts before the bank
    is loaded or drawn (here drawn, for a one-property rubric), and grades."""
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "ops.py").write_text(SOLUTION_SOURCE)
    rubric = tmp_path / "small.toml"
    rubric.write_text("[grading]\nseed = 1\nexamples_per_property = 5\n\n[points.mul]\nsame_shape = 1\n")
    env = {**os.environ, "PRAIRIELEARN_ROOT": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", PROBE, "prairielearn", "run", "--rubric", str(rubric)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"code": 0, "launched": [[]]}
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 1.0


def graded(source, claim_early: bool):
    """(report JSON, layers, leftovers) of `source` in a runner whose worker was started early or not."""
    pid = None
    if claim_early:
        early.start()
        pid = early._waiting[2].process.pid
    runner = SandboxRunner(source, "ops.py", **LIMITS)
    try:
        assert (runner.worker_pids[0] == pid) == claim_early   # it took the early worker, or started one
        report = grade("ops.py", runner, *graded.context, shrink=False)
    finally:
        runner.close()
        early.discard()
    layers = {**runner.layers, "user": runner.layers.get("user") != os.getuid()}   # dropped (a fresh ID each)
    return report.to_json(), layers, leftovers(runner)


@pytest.mark.parametrize("name", CONFINEMENT)
def test_a_worker_started_early_confines_a_submission_as_one_started_late(name, reference, rubric, bank):
    assert name in EXPECTED
    graded.context = (reference, rubric, bank)
    source = hostile_source(name)
    started_early, started_late = graded(source, True), graded(source, False)
    assert started_early == started_late
    assert started_early[2] == ([], [])   # nothing left behind


def test_a_correct_file_gets_the_same_report_from_an_early_worker(reference, rubric, bank):
    graded.context = (reference, rubric, bank)
    assert graded(SOLUTION_SOURCE, True)[0] == graded(SOLUTION_SOURCE, False)[0]


def test_an_early_worker_nobody_takes_is_killed_and_its_folder_deleted():
    early.start()
    _thread, scratch, channels = early._waiting
    early.discard()
    assert early._waiting is None
    assert not users.session_members(channels.process.pid) and not os.path.lexists(scratch)


def test_only_the_thread_that_started_it_takes_the_early_worker():
    """A worker dies with the thread that started it: a runner of another thread starts its own."""
    early.start()
    pid, pids = early._waiting[2].process.pid, []

    def run():
        runner = SandboxRunner(SOLUTION_SOURCE, "ops.py", **LIMITS)
        pids.extend(runner.worker_pids)
        runner.close()

    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        assert pids and pid not in pids and early._waiting is not None
    finally:
        early.discard()
