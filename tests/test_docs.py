"""The documentation works as written: its commands run, its links resolve.

Every fenced shell block in README.md, docs/*.md and the handout is marked, on the line before
it, either ``<!-- runnable -->`` (this file runs it) or ``<!-- not run: why -->`` (it needs
Docker, a platform account, or is the test suite itself). The runnable blocks of one document
run in order, in one bash session, as real commands with ``.venv/bin`` first on PATH:

* the kit's documents in a fresh copy of the kit (its files as a clone has them, the kit's
  ``.venv`` linked in), so ``GRADER_PYTHON=.venv/bin/python`` and relative paths mean what a
  reader's shell would make of them;
* the handout in the repository ``grader release`` writes, with the reference as the student's
  ``backprop/ops.py`` (a finished student: every documented command then succeeds).

A ``python`` block marked runnable runs with the environment's ``python``.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SOLUTION_SOURCE

HANDOUT = "assignments/backprop/README.md"
DOCUMENTS = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md")), HANDOUT]
SHELLS = {"", "bash", "sh", "shell", "console"}
RUNNABLE, NOT_RUN = "<!-- runnable -->", "<!-- not run:"

FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.M | re.S)
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def fenced_blocks(text: str):
    """(line number, language, marker line, body) of every fenced block, indentation removed."""
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").splitlines()
        marker = next((line.strip() for line in reversed(before) if line.strip()), "")
        indent = len(match["indent"])
        body = "\n".join(line[indent:] for line in match["body"].splitlines())
        yield text.count("\n", 0, match.start()) + 1, match["lang"], marker, body


def runnable_blocks(document: str):
    return [(line, lang, body) for line, lang, marker, body in fenced_blocks((ROOT / document).read_text())
            if marker == RUNNABLE]


def script_of(document: str) -> str:
    """The document's runnable blocks as one bash script that says which block it is in."""
    parts = ["set -euo pipefail"]
    for line, lang, body in runnable_blocks(document):
        parts.append(f"echo '>>> {document}:{line}' >&2")
        parts.append(f"python - <<'PYTHON_BLOCK'\n{body}\nPYTHON_BLOCK" if lang == "python" else body)
    return "\n".join(parts) + "\n"


def relative_links(text: str):
    """Link targets that are paths into the repository (no scheme, no pure #anchor)."""
    for match in LINK.finditer(text):
        target = match["target"].split("#")[0]
        if target and not re.match(r"^[a-z][a-z0-9+.-]*:", target):
            yield target


def kit_files() -> list:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def copy_of_the_kit(dest: Path) -> Path:
    """The kit as a fresh clone has it, plus the venv running this suite as its .venv. Every file
    is dated to before the venv was made, so `make` finds .venv up to date and reinstalls nothing."""
    venv = Path(sys.prefix)
    for name in kit_files():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, dest / name)
        os.utime(dest / name, (946684800, 946684800))  # 2000-01-01
    (dest / ".venv").symlink_to(venv)
    return dest


def environment(scratch: Path) -> dict:
    """A reader's shell: the kit's venv first on PATH, no test-run variables, own Jupyter dirs."""
    bin_dir = str(Path(sys.executable).parent)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "PYTEST", "BACKPROP_", "GRADER_", "VIRTUAL_ENV", "JUPYTER"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    for name in ("CONFIG", "DATA", "RUNTIME"):
        env[f"JUPYTER_{name}_DIR"] = str(scratch / "jupyter" / name.lower())
    env["IPYTHONDIR"] = str(scratch / "jupyter" / "ipython")
    return env


def run_script(document: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script_of(document)], cwd=cwd, env=environment(cwd.parent),
                          capture_output=True, text=True, timeout=900)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_shell_block_says_whether_it_runs(document):
    unmarked = [line for line, lang, marker, _ in fenced_blocks((ROOT / document).read_text())
                if lang in SHELLS and marker != RUNNABLE and not marker.startswith(NOT_RUN)]
    assert not unmarked, f"{document}: shell blocks at lines {unmarked} need {RUNNABLE} or {NOT_RUN} why -->"
    for line, lang, marker, body in fenced_blocks((ROOT / document).read_text()):
        if lang in SHELLS and marker.startswith(NOT_RUN):  # not run here, but at least valid bash
            parsed = subprocess.run(["bash", "-n"], input=body, capture_output=True, text=True)
            assert parsed.returncode == 0, f"{document}:{line}: {parsed.stderr}"


# What each document's commands must print: the reference scores full marks, the broken sample
# and the untouched release do not (so "it ran" also means "it graded").
EXPECTED = {
    "README.md": ["100/100", "wrote out/backprop-homework", "Merged 2 students from 2 folders.", "alice,,,100"],
    "docs/platforms.md": ['"score": 100.0', "score 100"],
    "docs/integrity.md": ["integrity: 4 submissions, 1 similar pair, 4 flags in 1 submission: integrity/integrity.html"],
    "docs/nbgrader.md": ["Success! Your notebook passes all the tests.", "score_mul 12.0 12.0",
                         "score_embedding 17.0 17.0"],
    "docs/lms.md": ['"Liddell, Alice",501,1001,aliddell,A,100', "Points Possible,,,,,12,12,14,12,16,17,17",
                    "aliddell,1001,alice@uni.example,100", '"bjones","70"', "carol,0", "exit 2"],
    "docs/scale.md": ["Merged 3 students from 2 folders.", "alice,graded,12,12,14,12,16,17,17,100", "exit 2"],
    "docs/extending.md": ["tanh.stability", "111/111", "38 passed"],
}
# ...and must not print: nbgrader's config warning about display_data_priority is silenced.
UNEXPECTED_ON_STDERR = {"docs/nbgrader.md": ["display_data_priority", "Traceback"]}


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if d != HANDOUT and runnable_blocks(d)])
@pytest.mark.slow
def test_the_kits_documented_commands_run(document, tmp_path):
    kit = copy_of_the_kit(tmp_path / "kit")
    done = run_script(document, kit)
    assert done.returncode == 0, f"{document}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    for text in EXPECTED[document]:
        assert text in done.stdout, f"{document}: {text!r} not printed\n{done.stdout[-3000:]}"
    for text in UNEXPECTED_ON_STDERR.get(document, []):
        assert text not in done.stderr, f"{document}: {text!r} on stderr\n{done.stderr[-3000:]}"


@pytest.mark.slow
def test_the_handouts_commands_run_in_the_release(tmp_path):
    release = tmp_path / "backprop-homework"
    subprocess.run([sys.executable, "-m", "grader", "release", str(release)], cwd=ROOT, check=True,
                   capture_output=True)
    (release / "backprop" / "ops.py").write_text(SOLUTION_SOURCE)
    # A finished student has finished the capstone too: pytest runs tests/test_graph.py as well.
    shutil.copy(ROOT / "solutions" / "backprop" / "graph.py", release / "backprop" / "graph.py")
    done = run_script(HANDOUT, release)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "100/100" in done.stdout


@pytest.mark.parametrize("document", DOCUMENTS)
def test_relative_links_resolve_inside_the_repository(document):
    path = ROOT / document
    for target in relative_links(path.read_text()):
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{document}: {target} points outside the repository"
        assert resolved.exists(), f"{document}: {target} does not exist"


def test_relative_links_resolve_in_the_release(tmp_path):
    release = tmp_path / "release"
    subprocess.run([sys.executable, "-m", "grader", "release", str(release)], cwd=ROOT, check=True,
                   capture_output=True)
    documents = [p for p in release.rglob("*.md")]
    assert documents
    for path in documents:
        for target in relative_links(path.read_text()):
            resolved = (path.parent / target).resolve()
            assert resolved.is_relative_to(release) and resolved.exists(), f"{path.name}: {target}"


def test_make_says_what_it_does_before_pip_goes_quiet(tmp_path):
    for name in ("Makefile", "requirements.txt", "requirements-nbgrader.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    # Not a sub-make of `make test`: it would print "make[1]: Entering directory" first.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    planned = subprocess.run(["make", "-n", "--no-print-directory", "demo"], cwd=tmp_path, capture_output=True,
                             text=True, check=True, env=env).stdout.splitlines()
    assert planned[0].startswith("echo") and "installing the pinned dependencies" in planned[0], planned[:2]


def test_every_grader_name_the_makefile_imports_exists():
    """`make stubs` once imported a module that had moved: a recipe's `from grader.x import y` must resolve."""
    import importlib

    imports = re.findall(r"from (grader[\w.]*) import (\w+)", (ROOT / "Makefile").read_text())
    assert imports
    for module, name in imports:
        assert hasattr(importlib.import_module(module), name), f"Makefile: from {module} import {name}"


def test_the_handouts_worked_examples_are_the_references_numbers():
    """Every ``pycon`` block of the handout, run as a doctest with the reference's classes."""
    import doctest

    import numpy as np

    from grader.ops import OPS
    from grader.paths import load_trusted, solutions_path

    reference = load_trusted(solutions_path(), "backprop_reference_docs")
    names = {"np": np, **{op.class_name: getattr(reference, op.class_name) for op in OPS}}
    blocks = [(line, body) for line, lang, _, body in fenced_blocks((ROOT / HANDOUT).read_text())
              if lang == "pycon"]
    assert len(blocks) >= 4  # max at a tie, matmul 2x2, softmax-CE on [1, 2, 3], sigmoid at 0
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for line, body in blocks:
        test = doctest.DocTestParser().get_doctest(body, dict(names), f"{HANDOUT}:{line}", HANDOUT, line)
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
