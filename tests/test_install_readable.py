"""A correct file scores full wherever the kit is installed, even where the sandbox user cannot read.

As root the sandbox worker drops to a user of its own, which cannot read an installation under
/root or in a ``mktemp -d`` folder (mode 0700). The worker imports, before the drop, what the
submission names (worker.py `preload`); what it could not foresee fails with a message naming
the folder and the fix, never a bare "No module named ...". Here the condition is set up
directly: a virtual environment in a fresh 0700 folder holding its own copy of NumPy (the kit's
own code and other packages come from a ``.pth`` line), and the grader run from it, as a
``grader grade`` (a started worker) and a ``grader batch`` (forked workers).
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SOLUTION_SOURCE
from test_styles import STYLES, style_source

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="only root drops the worker to another user")]


@pytest.fixture(scope="module")
def private_python():
    """The python of a virtual environment in a 0700 folder, NumPy copied inside it."""
    folder = Path(tempfile.mkdtemp(prefix="grader-private-install-"))
    try:
        assert folder.stat().st_mode & 0o777 == 0o700
        venv = folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
        python = venv / "bin" / "python"
        site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   check=True, capture_output=True, text=True).stdout.strip())
        numpy_home = Path(np.__file__).parent
        for name in ("numpy", "numpy.libs"):
            if (numpy_home.parent / name).is_dir():
                shutil.copytree(numpy_home.parent / name, site / name, symlinks=True)
        (site / "kit.pth").write_text(f"{ROOT}\n{sysconfig.get_path('purelib')}\n")
        where = subprocess.run([str(python), "-c", "import numpy; print(numpy.__file__)"],
                               check=True, capture_output=True, text=True).stdout
        assert where.startswith(str(folder)), where
        yield python
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(python, *args, cwd=ROOT):
    return subprocess.run([str(python), "-m", "grader", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_a_correct_file_importing_numpy_typing_scores_full(private_python, tmp_path):
    path, out = tmp_path / "ops.py", tmp_path / "report.json"
    path.write_text("import glob, fnmatch\nfrom numpy.typing import NDArray\nimport numpy.typing as npt\n"
                    + SOLUTION_SOURCE)
    result = run(private_python, "grade", path, "--json", out, "-q")
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["score"] == 100, report["load_error"] or report


def test_every_style_scores_full_in_a_batch(private_python, tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    for style in STYLES:
        (submissions / f"{style.stem}.py").write_text(style_source(style))
    result = run(private_python, "batch", submissions, "--out", tmp_path / "graded", "-j", "2")
    assert result.returncode == 0, result.stderr
    for style in STYLES:
        report = json.loads((tmp_path / "graded" / style.stem / "report.json").read_text())
        assert report["score"] == 100, (style.stem, report["load_error"])


def test_an_import_the_sandbox_user_cannot_read_names_the_folder_and_the_fix(private_python, tmp_path):
    """Only an import no one can see in the source (built at run time) is not preloaded."""
    path, out = tmp_path / "ops.py", tmp_path / "report.json"
    path.write_text("import importlib\n" + SOLUTION_SOURCE + "\n\nclass Mul(Mul):\n"
                    "    def backward(self, grad_out):\n"
                    "        importlib.import_module('numpy.' + 'polynomial')\n"
                    "        return super().backward(grad_out)\n")
    assert run(private_python, "grade", path, "--json", out, "-q").returncode == 0
    report = json.loads(out.read_text())
    reasons = {check["reason"] for check in report["ops"]["mul"]["checks"]}
    assert len(reasons) == 1, reasons
    (reason,) = reasons
    assert "the sandbox cannot import numpy.polynomial" in reason and "cannot read" in reason, reason
    assert "installed where every user can read it" in reason, reason
    assert report["score"] == 100 - report["ops"]["mul"]["max_score"]
