"""Platform images ship the example bank: a fresh container loads it instead of drawing it.

A Gradescope container is new for every submission, so drawing the bank there cost seconds per
submission. The bundle carries solutions/bank.npz; a run loads it when its key is this grader's,
reference's, rubric's and libraries' (bankfile.bank_key), and otherwise draws the bank, saying so.
"""

import json
import os
import subprocess
import sys
import zipfile

import pytest

import grader.cli.app
from grader.core.bankfile import bank_key, load_bank, save_bank
from grader.ops import load_rubric

from conftest import SOLUTION_SOURCE

SMALL_RUBRIC = "[grading]\nseed = 1\nexamples_per_property = 5\n\n[points.mul]\nsame_shape = 1\n"
REDRAWN = "drawing the example bank for this run"


@pytest.fixture(scope="module")
def small_rubric(tmp_path_factory):
    path = tmp_path_factory.mktemp("rubric") / "small.toml"
    path.write_text(SMALL_RUBRIC)
    return path


@pytest.fixture(scope="module")
def bundle_zip(tmp_path_factory, small_rubric):
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert grader.cli.app.main(["gradescope", "build", str(out), "--rubric", str(small_rubric)]) == 0
    return out


@pytest.fixture
def bundle(bundle_zip, tmp_path):
    folder = tmp_path / "source"
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(folder)
    return folder


def run_autograder(bundle, root):
    """run_autograder under ``python -X importtime``: its stderr lists every module imported."""
    python = root / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" -X importtime "$@"\n')
    python.chmod(0o755)
    (root / "submission").mkdir()
    (root / "submission" / "ops.py").write_text(SOLUTION_SOURCE)
    env = {**os.environ, "GRADESCOPE_ROOT": str(root), "GRADER_PYTHON": str(python)}
    env.pop("BACKPROP_SOLUTIONS", None)
    done = subprocess.run(["bash", str(bundle / "run_autograder")], env=env, cwd=root, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    said = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    return json.loads((root / "results" / "results.json").read_text()), imported, said


def test_the_bundle_ships_the_bank_of_its_rubric_and_reference(bundle_zip, small_rubric, reference):
    with zipfile.ZipFile(bundle_zip) as archive:
        assert "solutions/bank.npz" in archive.namelist()
        shipped = archive.read("solutions/bank.npz")
    path = bundle_zip.with_name("shipped.npz")
    path.write_bytes(shipped)
    rubric = load_rubric(small_rubric)
    assert load_bank(path, reference, rubric, bank_key(reference, rubric)) is not None


def test_a_run_with_the_shipped_bank_draws_nothing(bundle, tmp_path):
    data, imported, said = run_autograder(bundle, tmp_path)
    assert data["score"] == 1.0
    assert "hypothesis" not in imported and "grader.core.strategies" not in imported
    assert not any(REDRAWN in line for line in said)


def test_a_stale_shipped_bank_is_redrawn_and_still_grades(bundle, tmp_path, reference, small_rubric):
    stale = bundle / "solutions" / "bank.npz"
    rubric = load_rubric(small_rubric)
    bank = load_bank(stale, reference, rubric, bank_key(reference, rubric))
    save_bank(bank, stale, "a key of another Python or Hypothesis")
    data, imported, said = run_autograder(bundle, tmp_path)
    assert data["score"] == 1.0
    assert "hypothesis" in imported
    assert len([line for line in said if REDRAWN in line]) == 1


def test_grader_bank_draws_once_then_keeps(tmp_path, small_rubric, capsys):
    out = tmp_path / "bank.npz"
    assert grader.cli.app.main(["bank", str(out), "--rubric", str(small_rubric)]) == 0
    assert "drawn" in capsys.readouterr().out
    written = out.read_bytes()
    assert grader.cli.app.main(["bank", str(out), "--rubric", str(small_rubric)]) == 0
    assert "current, kept" in capsys.readouterr().out and out.read_bytes() == written
