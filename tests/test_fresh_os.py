"""The Gradescope bundle installed and run in a fresh operating system, as Gradescope does it.

A minimal Debian bookworm (system Python 3.11, no venv module; tests/fresh_os.py builds and
caches it) gets the zip that `grader gradescope build` writes, laid out as Gradescope's
specification says (https://gradescope-autograders.readthedocs.io/en/latest/specs/): unzipped
into /autograder/source, run_autograder copied to /autograder/run_autograder, setup.sh run once
as root, then run_autograder once per submission on /autograder/submission. setup.sh must
install what it needs itself from Debian's packages and PyPI; nothing of the build machine's
Python is visible. Each results.json must satisfy Gradescope's schema, the reference must score
full marks, a broken file 0 with its error, and student code must run as the unprivileged user
that setup.sh created (the submission prints its uid, which shows in the results).

Skipped only where a chroot with its own /proc and /dev cannot be made (not root, or a container
without the capability), with that reason. Time it adds (measured on 2 shared cores, 2026-12-01):
100-150 s a run, nearly all of it setup.sh (apt-get installs python3.11-venv, pip installs the
pins, the bank is redrawn for Debian's Python); the first run on a machine also builds the
Debian root, 2-3.5 minutes more.
"""

import json
import shutil
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest

import grader.cli
from fresh_os import chroot_problem, remove_root, root_tarball, run_in_root, unpack

from conftest import ROOT, SOLUTION_SOURCE

pytestmark = pytest.mark.slow

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "gradescope-results.schema.json").read_text())
SPY = "\n\nimport os as _os\nprint(f'grading as uid={_os.getuid()} euid={_os.geteuid()}')\n"
SYNTAX_ERROR = SOLUTION_SOURCE + "\n\ndef broken(:\n    pass\n"
SYNTAX_LINE = SYNTAX_ERROR.count("\n") - 1
RAISES = "raise RuntimeError('my <b>setup</b> failed')\n" + SOLUTION_SOURCE


def extract(bundle: Path, folder: Path) -> None:
    """Unzip as unzip(1) does, keeping the executable bits the zip records."""
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, folder))
            mode = info.external_attr >> 16 & 0o777
            if mode:
                path.chmod(mode)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(root folder, setup.sh's completed process): the bundle after setup.sh in a fresh Debian."""
    problem = chroot_problem()
    if problem:
        pytest.skip(problem)
    bundle = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert grader.cli.main(["gradescope", "build", str(bundle)]) == 0
    started = time.monotonic()
    tarball = root_tarball()
    print(f"\nDebian root {tarball}: {time.monotonic() - started:.0f} s (0 when cached)")
    root = tmp_path_factory.mktemp("fresh-os") / "root"
    try:
        unpack(tarball, root)
        source = root / "autograder" / "source"
        extract(bundle, source)
        shutil.copy2(source / "run_autograder", root / "autograder" / "run_autograder")
        started = time.monotonic()
        setup = run_in_root(root, "cd /autograder/source && ./setup.sh")
        print(f"setup.sh in the chroot: {time.monotonic() - started:.0f} s")
        assert setup.returncode == 0, f"setup.sh failed in a fresh {tarball.name}:\n{setup.stdout[-3000:]}\n{setup.stderr[-3000:]}"
        yield root, setup
    finally:
        remove_root(root)


def grade_in_root(root: Path, source: str) -> dict:
    """Gradescope's run of one submission: a fresh submission and results folder, run_autograder."""
    for name in ("submission", "results"):
        shutil.rmtree(root / "autograder" / name, ignore_errors=True)
    (root / "autograder" / "submission").mkdir()
    (root / "autograder" / "submission" / "ops.py").write_text(source, encoding="utf-8")
    done = run_in_root(root, "cd /autograder && ./run_autograder", timeout=600)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "autograder" / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    return data


def passwd_uid(root: Path, user: str) -> int:
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2])
    raise AssertionError(f"no user {user} in the root's /etc/passwd")


def test_setup_installs_a_python_and_the_worker_user(installed):
    root, setup = installed
    assert "worker user grader-worker" in setup.stdout
    assert (root / "opt" / "grader-venv" / "bin" / "python").exists()
    assert passwd_uid(root, "grader-worker") != 0


def test_setup_compiles_the_bundle_so_no_run_compiles_it(installed):
    """A container is fresh for each submission: modules with no bytecode compile on every run
    (and the worker's own, which its user cannot cache, would compile in every worker)."""
    root, _ = installed
    package = root / "autograder" / "source" / "grader"
    uncompiled = [str(path.relative_to(package)) for path in package.rglob("*.py")
                  if not any((path.parent / "__pycache__").glob(f"{path.stem}.cpython-*.pyc"))]
    assert not uncompiled


def test_the_reference_scores_full_marks_run_as_the_worker_user(installed):
    root, _ = installed
    data = grade_in_root(root, SOLUTION_SOURCE + SPY)
    assert data["score"] == data["extra_data"]["max_score"] == 100
    assert {test["status"] for test in data["tests"]} == {"passed"}
    worker = passwd_uid(root, "grader-worker")
    assert f"grading as uid={worker} euid={worker}" in data["output"], data["output"]


def test_a_syntax_error_scores_zero_and_says_where(installed):
    data = grade_in_root(installed[0], SYNTAX_ERROR)
    assert data["score"] == 0
    assert f"ops.py has a syntax error on line {SYNTAX_LINE}" in data["output"]


def test_an_exception_at_import_scores_zero_with_the_error(installed):
    data = grade_in_root(installed[0], RAISES)
    assert data["score"] == 0 and data["tests"]
    assert "could not be loaded" in data["output"]
    assert "RuntimeError: my <b>setup</b> failed" in data["output"], data["output"]
