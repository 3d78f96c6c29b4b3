"""The report-identity check: every corpus, hostile and style file gets the JSON report it got
before the kit's last redesign, byte for byte (tests/golden/reports.json.gz).

A change to what is graded or said must be made on purpose: rerun with ``UPDATE_GOLDEN=1`` and
name each changed report, and why, in the commit message. The one normalisation is a process id
a hostile file prints about itself (``/proc/<pid>/``), which no grader can keep stable.
"""

import difflib
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, STUB_SOURCE, with_snippet

GOLDEN = ROOT / "tests" / "golden" / "reports.json.gz"
STYLE_MARKER = "# {reference}"
PID = re.compile(r"/proc/\d+/")

pytestmark = pytest.mark.slow


def submissions() -> dict:
    """Every file the check grades, by submission id: whole files, as a student would hand them in."""
    files = {"reference": SOLUTION_SOURCE, "stubs": STUB_SOURCE}
    for kind in ("correct", "wrong"):
        for path in sorted((CORPUS / kind).glob("*.py")):
            files[f"corpus_{kind}__{path.stem}"] = with_snippet(path)
    for path in sorted((ROOT / "tests" / "hostile").glob("*.py")):
        files[f"hostile__{path.stem}"] = path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "tests" / "styles").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        whole = text.replace(STYLE_MARKER, SOLUTION_SOURCE) if STYLE_MARKER in text else SOLUTION_SOURCE + "\n\n" + text
        files[f"styles__{path.stem}"] = whole
    return files


def graded_reports(tmp_path: Path) -> dict:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in submissions().items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out), "-j", "2"],
                   check=True, capture_output=True, cwd=ROOT)
    return {name: PID.sub("/proc/PID/", (out / name / "report.json").read_text(encoding="utf-8"))
            for name in submissions()}


def test_every_report_is_the_recorded_one(tmp_path):
    reports = graded_reports(tmp_path)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_bytes(gzip.compress(json.dumps(reports, sort_keys=True, indent=0).encode(), mtime=0))
    golden = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    assert sorted(reports) == sorted(golden), "the graded files changed: rerun with UPDATE_GOLDEN=1"
    changed = [name for name in reports if reports[name] != golden[name]]
    if changed:
        first = changed[0]
        diff = difflib.unified_diff(golden[first].splitlines(), reports[first].splitlines(), "recorded", "now", lineterm="")
        pytest.fail(f"{len(changed)} reports changed ({', '.join(changed[:5])}); {first}:\n" + "\n".join(list(diff)[:60]))
