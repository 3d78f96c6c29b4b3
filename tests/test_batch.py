"""`grader batch` and `grader merge`: gradebook contents, resume, SIGKILL + resume, shards, -j.

Most runs call the CLI in this process with ``--in-process`` and a rubric of 8 examples per
property (the same properties and points as the kit's), to keep the file fast. The SIGKILL test
runs the real command in a subprocess with the default runner, kills it, and resumes it.
"""

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import grader.cli.app as cli
from grader.instructor import pool as workers
from grader.core.bank import Bank
from grader.core.bankfile import bank_key, build_bank, load_bank, save_bank
from grader.core.context import CACHE, stored_bank
from grader.instructor.batch import list_submissions, shard_of
from grader.core.grade import grade
from grader.core.rubric import DEFAULT_RUBRIC
from grader.ops import load_rubric
from grader.run.in_process import InProcessRunner

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, STUB_SOURCE, with_snippet

OUTPUTS = ["gradebook.csv", "gradebook.json", "summary.html",
           "summary-scores.png", "summary-ops.png", "summary-properties.png", "summary-mistakes.png"]
STUDENT_FILES = ["report.json", "feedback.md", "feedback.html"]
LAUNCH = ("import sys, grader.cli.app as cli\n"
          "'grader.instructor.batch' in cli.COMMAND_MODULES or cli.COMMAND_MODULES.append('grader.instructor.batch')\n"
          "sys.exit(cli.main())")


def grader(*args) -> int:
    """`grader ARGS` in this process, with the batch commands registered."""
    modules = list(dict.fromkeys([*cli.COMMAND_MODULES, "grader.instructor.batch"]))
    with mock.patch.object(cli, "COMMAND_MODULES", modules):
        return cli.main([str(arg) for arg in args])


def notebook(source: str) -> str:
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": text}
             for text in ("%matplotlib inline", source)]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture(scope="module")
def small_rubric(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    text = re.sub(r"examples_per_property = \d+", "examples_per_property = 8", DEFAULT_RUBRIC.read_text())
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory) -> Path:
    """One entry of each kind a class hands in, good and bad."""
    folder = tmp_path_factory.mktemp("class")
    (folder / "reference.py").write_text(SOLUTION_SOURCE)
    (folder / "stubs.py").write_text(STUB_SOURCE)
    (folder / "broken").mkdir()
    shutil.copy(ROOT / "tests" / "samples" / "broken" / "ops.py", folder / "broken" / "ops.py")
    (folder / "syntax_error.py").write_text("def backward(self, grad_out:\n    return grad_out\n")
    (folder / "missing_class.py").write_text(SOLUTION_SOURCE + "\ndel Embedding\n")
    (folder / "notebook.ipynb").write_text(notebook(SOLUTION_SOURCE))
    (folder / "empty").mkdir()
    (folder / "swapped.py").write_text(with_snippet(CORPUS / "wrong" / "mul__swapped_operands.py"))
    (folder / "transposed.py").write_text(with_snippet(CORPUS / "wrong" / "matmul__grad_b_transposed.py"))
    (folder / ".DS_Store").write_text("not a student")
    return folder


@pytest.fixture(scope="module")
def full_run(class_folder, small_rubric, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("full")
    assert grader("batch", class_folder, "--out", out, "-j", 2, "--in-process", "--rubric", small_rubric) == 0
    return out


def same_outputs(left: Path, right: Path, ids) -> None:
    for name in OUTPUTS:
        assert (left / name).read_bytes() == (right / name).read_bytes(), name
    for sid in ids:
        for name in STUDENT_FILES:
            assert (left / sid / name).read_bytes() == (right / sid / name).read_bytes(), f"{sid}/{name}"


def gradebook(out: Path) -> dict:
    return {row["id"]: row for row in json.loads((out / "gradebook.json").read_text())["students"]}


def ids_of(folder: Path) -> list:
    return [sid for sid, _ in list_submissions(folder, folder / "no-such-out")]


# --------------------------------------------------------------------------- contents

def test_a_mixed_class_gets_a_complete_gradebook(full_run):
    csv = (full_run / "gradebook.csv").read_text().splitlines()
    assert csv[0] == "id,status,mul,add,max,sigmoid,matmul,softmax_ce,embedding,total"
    assert csv[1] == "Points Possible,,12,12,14,12,16,17,17,100"
    assert [line.split(",")[0] for line in csv[2:]] == sorted(
        ["broken", "empty", "missing_class", "notebook", "reference", "stubs", "swapped", "syntax_error",
         "transposed"])
    assert "reference,graded,12,12,14,12,16,17,17,100" in csv and "notebook,graded,12,12,14,12,16,17,17,100" in csv
    # "did nothing", "did not load" and "handed in nothing" are three different zeros
    assert "stubs,not implemented,0,0,0,0,0,0,0,0" in csv
    assert "syntax_error,load error,0,0,0,0,0,0,0,0" in csv and "empty,missing,0,0,0,0,0,0,0,0" in csv
    assert "missing_class,graded,12,12,14,12,16,17,0,83" in csv

    rows = gradebook(full_run)
    broken = rows["broken"]["ops"]
    assert broken["mul"] < 12 and broken["matmul"] < 16 and broken["embedding"] < 17
    assert broken["add"] == 12 and broken["sigmoid"] == 12 and broken["softmax_ce"] == 17
    assert rows["missing_class"]["ops"]["embedding"] == 0 and rows["missing_class"]["score"] == 100 - 17
    assert rows["swapped"]["ops"]["mul"] < 12 and rows["swapped"]["score"] == 100 - 12 + rows["swapped"]["ops"]["mul"]
    assert rows["transposed"]["ops"]["matmul"] < 16
    assert rows["syntax_error"]["score"] == 0 and "does not compile" in rows["syntax_error"]["load_error"]
    assert rows["empty"]["score"] == 0 and "holds no ops.py" in rows["empty"]["load_error"]
    assert "/" not in rows["empty"]["load_error"].split(" holds")[0]  # the instructor's folders stay private

    for sid in rows:
        report = json.loads((full_run / sid / "report.json").read_text())
        assert report["submission"] == sid and report["score"] == rows[sid]["score"]
    feedback = (full_run / "broken" / "feedback.md").read_text()
    assert feedback.startswith("# Feedback for broken") and "## What failed" in feedback
    assert "### mul.broadcast" in feedback and "Minimal failing example" in feedback
    assert "does not compile" in (full_run / "syntax_error" / "feedback.md").read_text()

    page = (full_run / "broken" / "feedback.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<h1>Feedback for broken</h1>" in page
    assert '<h3 id="mul.broadcast">' in page and "Minimal failing example" in page

    html = (full_run / "summary.html").read_text()
    assert all(f'src="{name}"' in html for name in OUTPUTS[3:])
    assert '<a href="broken/feedback.html">broken</a>' in html
    assert all((full_run / name).read_bytes()[:4] == b"\x89PNG" for name in OUTPUTS[3:])


def test_a_crashing_or_hanging_submission_costs_only_itself(tmp_path, small_rubric):
    import multiprocessing

    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "crash.py").write_text("import os\nos._exit(3)\n")
    (folder / "hang.py").write_text("import time\ntime.sleep(600)\n")
    (folder / "ok.py").write_text(SOLUTION_SOURCE)
    (folder / "no_class.py").write_text("import numpy as np\n")
    (folder / "latin1.py").write_bytes("# café\n".encode("latin-1") + SOLUTION_SOURCE.encode())
    out = tmp_path / "out"
    assert grader("batch", folder, "--out", out, "-j", 2, "--in-process", "--timeout", 1.5,
                  "--rubric", small_rubric) == 0
    rows = gradebook(out)
    assert rows["ok"]["score"] == 100 and rows["ok"]["status"] == "graded"
    assert rows["crash"]["score"] == 0 and "died" in rows["crash"]["load_error"]
    assert rows["hang"]["score"] == 0 and "longer than 1.5 s" in rows["hang"]["load_error"]
    assert rows["crash"]["status"] == "crashed" and rows["hang"]["status"] == "timeout"
    assert rows["no_class"]["status"] == rows["latin1"]["status"] == "load error"
    assert multiprocessing.active_children() == []


def test_a_grading_process_stopped_mid_queue_costs_only_the_submission_it_held(tmp_path, small_rubric, monkeypatch):
    # In the sandbox a grading process takes several submissions in turn (workers.py): the one
    # it is stopped on scores 0 with the reason, and the rest of its queue goes to a fresh one.
    import multiprocessing

    monkeypatch.setattr(workers, "SUBMISSIONS_PER_PROCESS", 3)
    folder = tmp_path / "class"
    folder.mkdir()
    names = ["a_ok", "b_hang", "c_wrong", "d_ok", "e_ok", "f_ok", "g_ok"]
    wrong = with_snippet(CORPUS / "wrong" / "mul__ignored_upstream.py")
    for name in names:
        source = {"b_hang": "import time\ntime.sleep(600)\n", "c_wrong": wrong}.get(name, SOLUTION_SOURCE)
        (folder / f"{name}.py").write_text(source)
    out = tmp_path / "out"
    assert grader("batch", folder, "--out", out, "-j", 1, "--timeout", 3, "--rubric", small_rubric) == 0
    rows = gradebook(out)
    assert rows["b_hang"]["score"] == 0 and "longer than 3 s" in rows["b_hang"]["load_error"]
    assert 0 < rows["c_wrong"]["score"] < 100 and rows["c_wrong"]["ops"]["mul"] < rows["a_ok"]["ops"]["mul"]
    assert all(rows[name]["score"] == 100 for name in names if name.endswith("_ok"))
    assert multiprocessing.active_children() == []


# --------------------------------------------------------------------------- resume and SIGKILL

def test_resume_skips_finished_students_and_redoes_the_rest(full_run, class_folder, small_rubric, tmp_path,
                                                            capsys):
    out = tmp_path / "out"
    shutil.copytree(full_run, out)
    kept = json.loads((out / "reference" / "report.json").read_text())
    kept["untouched"] = True  # a field nothing writes: it survives only if the file is skipped
    (out / "reference" / "report.json").write_text(json.dumps(kept))
    (out / "stubs" / "report.json").unlink()                 # killed between feedback.md and report.json
    (out / "broken" / "report.json").write_text('{"score": ')  # a torn file (not ours, but possible)
    (out / "swapped" / ".report.json.x1y2.tmp").write_text("{")  # what a kill mid-write leaves
    capsys.readouterr()

    assert grader("batch", class_folder, "--out", out, "--resume", "-j", 2, "--in-process",
                  "--rubric", small_rubric) == 0
    assert "Graded 2 of 9 submissions (7 already done)" in capsys.readouterr().out
    assert json.loads((out / "reference" / "report.json").read_text())["untouched"] is True
    assert not list(out.rglob("*.tmp"))
    same_outputs(full_run, out, ["stubs", "broken", "swapped"])


def _reports(out: Path) -> int:
    return len(list(out.glob("*/report.json")))


def _our_processes(marker: str) -> list:
    """Pids whose command line mentions `marker` (forked grading processes share the batch's)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(proc.name))
        except OSError:
            pass
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find leftover processes")
@pytest.mark.slow
def test_sigkill_at_any_moment_then_resume_loses_and_duplicates_nothing(class_folder, small_rubric, tmp_path):
    folder = tmp_path / "class"
    shutil.copytree(class_folder, folder)
    for i in range(4):  # slow imports keep the batch running long enough to be killed mid-way
        (folder / f"slow{i}.py").write_text("import time\ntime.sleep(0.4)\n" + SOLUTION_SOURCE)
    total = len(ids_of(folder))

    def batch(out, *extra):
        command = [sys.executable, "-c", LAUNCH, "batch", str(folder), "--out", str(out), "-j", "2",
                   "--rubric", str(small_rubric), *extra]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)

    whole = tmp_path / "whole"
    assert batch(whole).wait(120) == 0

    out = tmp_path / "killed"
    for kill_after in (1, 6):  # kill early, then again after the resumed run made progress
        run = batch(out, "--resume")
        deadline = time.monotonic() + 60
        while _reports(out) < kill_after and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.005)
        run.send_signal(signal.SIGKILL)
        assert run.wait(10) == -signal.SIGKILL, "the batch finished before it could be killed"
        assert kill_after <= _reports(out) < total
        # Its grading processes follow it (PR_SET_PDEATHSIG). What is tested is that they go, not
        # how fast: on a loaded machine (seen at load average 10 on 2 cores) the last one took
        # longer than 15 s to be scheduled, finish its SIGTERM handler and exit.
        deadline = time.monotonic() + 90
        while _our_processes(str(out)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _our_processes(str(out)), "a grading process outlived the killed batch"
    finish = batch(out, "--resume")
    assert finish.wait(120) == 0, finish.stderr.read().decode()

    same_outputs(whole, out, ids_of(folder))
    rows = (out / "gradebook.csv").read_text().splitlines()[2:]  # after the header and the maxima
    assert len(rows) == len({row.split(",")[0] for row in rows}) == total
    assert not list(out.rglob("*.tmp"))


# --------------------------------------------------------------------------- shards and -j

@pytest.mark.slow
def test_shards_merged_equal_one_batch(full_run, class_folder, small_rubric, tmp_path):
    shards = [tmp_path / f"shard{i}" for i in (1, 2, 3)]
    for i, out in enumerate(shards, start=1):
        assert grader("batch", class_folder, "--out", out, "--shard", f"{i}/3", "-j", 1, "--in-process",
                      "--rubric", small_rubric) == 0
    ids = ids_of(class_folder)
    for i, out in enumerate(shards, start=1):
        assert list(gradebook(out)) == ids[i - 1::3] == [sid for sid, _ in shard_of(
            list_submissions(class_folder, out), i, 3)]

    assert grader("merge", shards[1], "--out", tmp_path / "partial") == 2  # refuses a partial class
    merged = tmp_path / "merged"
    assert grader("merge", *shards, "--out", merged) == 0
    same_outputs(full_run, merged, ids)


def test_the_gradebook_does_not_depend_on_parallelism(full_run, class_folder, small_rubric, tmp_path):
    out = tmp_path / "serial"
    assert grader("batch", class_folder, "--out", out, "-j", 1, "--in-process", "--rubric", small_rubric) == 0
    same_outputs(full_run, out, ids_of(class_folder))


def test_spawned_grading_processes_load_the_bank_file(full_run, class_folder, small_rubric, tmp_path):
    """Where fork is not used (macOS), each grading process loads the batch's bank file."""
    folder = tmp_path / "class"
    shutil.copytree(class_folder / "broken", folder / "broken")
    shutil.copy(class_folder / "reference.py", folder / "reference.py")
    out = tmp_path / "out"
    with mock.patch.object(workers, "START_METHOD", "spawn"):
        assert grader("batch", folder, "--out", out, "-j", 2, "--in-process", "--rubric", small_rubric) == 0
    for sid in ("broken", "reference"):
        assert (out / sid / "report.json").read_bytes() == (full_run / sid / "report.json").read_bytes()


# --------------------------------------------------------------------------- the bank file

def test_a_saved_bank_grades_exactly_like_a_fresh_one(reference, small_rubric, tmp_path):
    rubric, path = load_rubric(small_rubric), tmp_path / "bank.npz"
    bank, key = Bank(reference, rubric), bank_key(reference, rubric)
    save_bank(bank, path, key)
    loaded = load_bank(path, reference, rubric, key)
    assert loaded is not None
    sources = [SOLUTION_SOURCE, STUB_SOURCE, (ROOT / "tests" / "samples" / "broken" / "ops.py").read_text(),
               *(with_snippet(p) for p in sorted((CORPUS / "wrong").glob("*.py"))[::3])]
    for source in sources:
        fresh = grade("ops.py", InProcessRunner(source), reference, rubric, bank, shrink=False)
        again = grade("ops.py", InProcessRunner(source), reference, rubric, loaded, shrink=False)
        assert again.to_json() == fresh.to_json()

    assert load_bank(path, reference, rubric, "another key") is None  # stale: other grader/solutions/rubric
    path.write_bytes(path.read_bytes()[:1000])
    assert load_bank(path, reference, rubric, key) is None            # torn or corrupted
    rebuilt = stored_bank(reference, rubric, path, CACHE)                    # ... is rebuilt and saved again
    assert load_bank(path, reference, rubric, bank_key(reference, rubric)) is not None
    prop, _ = rubric.graded("mul")[0]
    assert len(rebuilt.examples(prop)) == len(Bank(reference, rubric).examples(prop))


def test_a_bank_drawn_by_several_processes_is_the_same_bank(reference, small_rubric, tmp_path):
    rubric = load_rubric(small_rubric)
    key = bank_key(reference, rubric)
    save_bank(build_bank(reference, rubric, key, jobs=1), tmp_path / "one.npz", key)
    save_bank(build_bank(reference, rubric, key, jobs=3), tmp_path / "three.npz", key)
    with np.load(tmp_path / "one.npz") as one, np.load(tmp_path / "three.npz") as three:
        assert one.files == three.files
        assert all(np.array_equal(one[name], three[name]) for name in one.files)


# --------------------------------------------------------------------------- mistakes of the user

@pytest.mark.parametrize("args", [
    ["batch", "{missing}", "--out", "{out}"],
    ["batch", "{class}", "--out", "{out}", "--shard", "0/2"],
    ["batch", "{class}", "--out", "{out}", "--shard", "3/2"],
    ["batch", "{class}", "--out", "{out}", "--shard", "two"],
    ["batch", "{class}", "--out", "{out}", "-j", "0"],
    ["batch", "{empty}", "--out", "{out}"],
    ["merge", "{empty}", "--out", "{out}"],
], ids=["missing-folder", "shard-0", "shard-past-n", "shard-not-a-fraction", "no-jobs", "empty-class",
        "merge-not-a-batch"])
def test_usage_mistakes_are_one_line_and_exit_2(args, class_folder, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    paths = {"missing": tmp_path / "nope", "class": class_folder, "empty": tmp_path / "empty",
             "out": tmp_path / "out"}
    assert grader(*(arg.format(**paths) for arg in args)) == 2
    err = capsys.readouterr().err
    assert err.startswith("grader: ") and err.count("\n") == 1, err
    assert not (tmp_path / "out" / "gradebook.csv").exists()
