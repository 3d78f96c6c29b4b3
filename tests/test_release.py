"""`grader release`: the student repository has no solution, fails on stubs, passes when solved.

The release is installed into a fresh virtual environment, as a student would install it, so
its pytest plugin is found through its own entry point, not through this repository.
"""

import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from grader.ops import OPS
from grader.instructor.release import build_release
from grader.instructor.stubs import BEGIN, END

from conftest import ROOT, SOLUTION_SOURCE


def _squash(text: str) -> str:
    """Normalised source: comments and all whitespace removed."""
    return re.sub(r"\s+", "", re.sub(r"#[^\n]*", "", text))


def solution_blocks():
    return re.findall(re.escape(BEGIN) + r"\n(.*?)\n\s*" + re.escape(END), SOLUTION_SOURCE, flags=re.S)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = build_release(tmp_path_factory.mktemp("release") / "backprop-homework")
    venv = out.parent / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The pinned packages this suite already installed stand in for `pip install -r requirements.txt`
    # (CI has no reason to download them twice); the release itself is really installed.
    Path(purelib, "pinned-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "-e", str(out)], check=True, capture_output=True)
    return out, venv / "bin"


def run_in(release_dir, bin_dir, *command):
    return subprocess.run([str(bin_dir / command[0]), *command[1:]], cwd=release_dir,
                          capture_output=True, text=True, timeout=300)


def test_no_reference_backward_anywhere(release):
    out, _ = release
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not any("solutions" in p.parts for p in files)
    texts = {p: p.read_text(encoding="utf-8", errors="replace") for p in files}
    blocks = solution_blocks()
    assert len(blocks) == len(OPS) + 1  # one per backward, plus the private broadcasting helper
    for block in blocks:
        body = _squash(block)
        code_lines = [line.strip() for line in block.splitlines()
                      if line.strip() and not line.strip().startswith(("#", '"""'))]
        for path, text in texts.items():
            assert body not in _squash(text), f"a reference body is in {path}"
            for line in code_lines:
                if len(line) >= 25:
                    assert line not in text, f"reference line {line!r} is in {path}"


def test_release_layout(release):
    out, _ = release
    for name in ("README.md", "backprop/ops.py", "tests/test_backprop.py", "requirements.txt",
                 "pyproject.toml", ".github/workflows/classroom.yml", "grader/given_ops.py"):
        assert (out / name).is_file(), name
    requirements = (out / "requirements.txt").read_text()
    for pin in ("numpy==", "hypothesis==", "rich==", "pytest=="):
        assert pin in requirements
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_text()
    scores = [float(s) for s in re.findall(r"max-score: ([\d.]+)", workflow)]
    assert len(scores) == len(OPS) and sum(scores) == 100
    assert "pip install -r requirements.txt" in (out / "README.md").read_text()


@pytest.mark.slow
def test_stubs_fail_every_op_with_not_implemented(release):
    out, bin_dir = release
    result = run_in(out, bin_dir, "python", "-m", "pytest", "-q")
    # 34 op properties and the capstone's 8 (grader/ops/capstone/properties.py)
    assert result.returncode == 1 and "42 failed" in result.stdout, result.stdout[-3000:]
    assert "backward is not implemented yet" in result.stdout.split("capstone-chain", 1)[-1]
    for op in OPS:
        assert f"{op.class_name}.backward is not implemented yet" in result.stdout
    assert "Traceback" not in result.stdout


@pytest.mark.slow
def test_a_correct_ops_passes_and_previews_full_marks(release, tmp_path):
    out, bin_dir = release
    solved = tmp_path / "solved"
    shutil.copytree(out, solved, ignore=shutil.ignore_patterns("__pycache__"))
    (solved / "backprop" / "ops.py").write_text(SOLUTION_SOURCE)
    result = run_in(solved, bin_dir, "python", "-m", "pytest", "-q", "--op", "embedding")
    assert result.returncode == 0 and "5 passed" in result.stdout, result.stdout[-3000:]
    result = run_in(solved, bin_dir, "grader", "check", "-q")
    assert result.returncode == 0 and "100/100" in result.stdout, result.stdout + result.stderr
    assert "capstone" not in result.stdout or "0/20" in result.stdout   # the graph.py stub: no point yet
    shutil.copy(ROOT / "solutions" / "backprop" / "graph.py", solved / "backprop" / "graph.py")
    result = run_in(solved, bin_dir, "python", "-m", "pytest", "-q", "--op", "capstone")
    assert result.returncode == 0 and "8 passed" in result.stdout, result.stdout[-3000:]
    result = run_in(solved, bin_dir, "grader", "check", "-q")
    assert "20/20" in result.stdout and "cmp" in result.stdout, result.stdout + result.stderr


def test_no_reference_walker_anywhere(release):
    """The graph.py solution's blocks (backward, sgd_step) are nowhere in the release."""
    out, _ = release
    source = (ROOT / "solutions" / "backprop" / "graph.py").read_text(encoding="utf-8")
    blocks = re.findall(re.escape(BEGIN) + r"\n(.*?)\n\s*" + re.escape(END), source, flags=re.S)
    assert len(blocks) == 2
    for path in (p for p in out.rglob("*.py") if p.is_file()):
        assert not any(_squash(block) in _squash(path.read_text(encoding="utf-8")) for block in blocks), path


def test_release_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    result = subprocess.run([sys.executable, "-m", "grader", "release", str(tmp_path / "x")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "is not empty" in result.stderr and "Traceback" not in result.stderr


def test_the_students_grader_offers_check_and_answers_grade_with_one_line(release):
    out, bin_dir = release
    listed = run_in(out, bin_dir, "grader", "--help")
    assert listed.returncode == 0 and "check" in listed.stdout
    assert not re.search(r"^\s+grade\s", listed.stdout, re.M), listed.stdout
    for argv in (("grader", "grade", "backprop/ops.py"), ("grader", "grade")):
        refused = run_in(out, bin_dir, *argv)
        assert refused.returncode == 2 and refused.stdout == "", refused
        assert refused.stderr.count("\n") == 1 and "use `grader check`" in refused.stderr, refused.stderr
        assert "final grade comes from your instructor" in refused.stderr
