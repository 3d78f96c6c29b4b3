"""No comment, docstring or doc sends readers to the research digests: they are not part of the
repository nor of any release, so a reference to them points nowhere. Cite the public source
(a project's docs, an issue, a paper) or state the fact itself."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["grader", "tests", "benchmarks", "docs", "assignments", "solutions", "README.md", "Makefile", "Dockerfile"]
TEXT = {".py", ".md", ".toml", ".txt", ".json", ".j2", ".html", ".sh", ".cfg", ".ini", ".yml", ".yaml", ".ipynb", ""}
LINK = re.compile("research" + r"(/| §)")  # spelt in two halves so that this file does not find itself


def scanned_files():
    for entry in SCANNED:
        path = ROOT / entry
        for file in ([path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []):
            if file.is_file() and file.suffix in TEXT and "__pycache__" not in file.parts:
                yield file


def test_no_file_points_to_the_research_digests():
    found = [f"{file.relative_to(ROOT)}:{number}: {line.strip()}"
             for file in scanned_files()
             for number, line in enumerate(file.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if LINK.search(line)]
    assert not found, "cite the public source or state the fact instead:\n" + "\n".join(found)


def test_the_scan_reads_the_kit():
    names = {file.relative_to(ROOT).as_posix() for file in scanned_files()}
    assert {"grader/core/judge.py", "README.md", "tests/test_judge.py"} <= names
