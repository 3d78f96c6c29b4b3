"""feedback.md: one student's report as Markdown, for the instructor to hand back.

It is rendered from the report's JSON form (what report.json holds), so a resumed or merged
batch renders exactly what a fresh one does. A score table, then every failed check with its
feedback (the minimal failing example, got and expected), then what the student's code printed.
Student-controlled text (printed output, error messages) only ever appears inside code fences
or escaped table cells, so it cannot change the document's structure.
"""

import re

OUTPUT_LINES = 40  # lines of the student's own printed output shown


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;") or "-"


def _fenced(text: str) -> str:
    """A code block that no backtick run inside `text` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}\n"


def _points(value) -> str:
    return f"{float(value):g}"


def feedback_markdown(student_id: str, report: dict) -> str:
    parts = [f"# Feedback for {_cell(student_id)}\n",
             f"**Score: {_points(report['score'])} / {_points(report['max_score'])}**\n"]
    load_error = report.get("load_error", "")
    if load_error:
        parts.append("No check could run on your submission:\n")
        parts.append(_fenced(load_error))
    parts.append("| op | points | passed | failed |\n|---|---:|---|---|")
    for key, op in report["ops"].items():
        passed = ", ".join(check["name"] for check in op["checks"] if check["passed"])
        failed = ", ".join(check["name"] for check in op["checks"] if not check["passed"])
        parts.append(f"| {key} | {_points(op['score'])}/{_points(op['max_score'])} | {_cell(passed)} | {_cell(failed)} |")
    parts.append(f"| **total** | **{_points(report['score'])}/{_points(report['max_score'])}** | | |\n")

    failed_checks = [(key, check) for key, op in report["ops"].items() for check in op["checks"] if not check["passed"]]
    if failed_checks and not load_error:
        parts.append("## What failed\n")
        first_with = {}  # feedback text -> the check that showed it first
        for key, check in failed_checks:
            name = f"{key}.{check['name']}"
            parts.append(f"### {name} ({_points(check['points'])}/{_points(check['max_points'])})\n")
            parts.append(f"Checks: {_cell(check['doc'])}\n")
            if check.get("diagnosis"):
                parts.append(f"Likely mistake: {_cell(check['diagnosis'])}\n")
            feedback = check.get("feedback") or check.get("reason") or "failed"
            if feedback in first_with:
                parts.append(f"Same problem as {first_with[feedback]} above.\n")
                continue
            first_with[feedback] = name
            parts.append(_fenced(feedback))

    output = report.get("student_output", "")
    if output.strip():
        lines = output.splitlines()
        shown = "\n".join(lines[:OUTPUT_LINES]) + (f"\n[... {len(lines) - OUTPUT_LINES} more lines]"
                                                     if len(lines) > OUTPUT_LINES else "")
        parts.append("## What your code printed\n")
        parts.append(_fenced(shown))
    return "\n".join(parts).rstrip() + "\n"
