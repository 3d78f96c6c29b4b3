"""feedback.md: one student's report as Markdown, for the instructor to hand back.

It is rendered from the report's JSON form (what report.json holds), so a resumed or merged
batch renders exactly what a fresh one does. A score table, then every failed check: what it
checks, the likely mistake, and its feedback (the reason, the minimal failing example, got and
expected), then what the student's code printed.

GitHub, LMSs and Jupyter render this file, and instructors `cat` it, so student-controlled text
(the id, error messages, names quoted in reasons, printed output) only appears through
`escape.markdown_inline` (HTML and Markdown syntax escaped) or in a code fence it cannot close
(`escape.markdown_block`), never as Markdown of its own.
"""

from .escape import markdown_block, markdown_inline
from ..i18n import _
from ..core.feedback import feedback_body

OUTPUT_LINES = 40  # lines of the student's own printed output shown


def _cell(text: str) -> str:
    return markdown_inline(text) or "-"


def _points(value) -> str:
    return f"{float(value):g}"


def feedback_markdown(student_id: str, report: dict) -> str:
    parts = [_("# Feedback for {cell}\n").format(cell=_cell(student_id)),
             _("**Score: {score} / {max_score}**\n").format(score=_points(report['score']),
                                                           max_score=_points(report['max_score']))]
    load_error = report.get("load_error", "")
    if load_error:
        parts.append(_("No check could run on your submission:\n"))
        parts.append(markdown_block(load_error))
    parts.append(_("| op | points | passed | failed |\n|---|---:|---|---|"))
    for key, op in report["ops"].items():
        passed = ", ".join(check["name"] for check in op["checks"] if check["passed"])
        failed = ", ".join(check["name"] for check in op["checks"] if not check["passed"])
        parts.append(f"| {key} | {_points(op['score'])}/{_points(op['max_score'])} | {passed or '-'} | {failed or '-'} |")
    parts.append(f"| **{_('total')}** | **{_points(report['score'])}/{_points(report['max_score'])}** | | |\n")

    failed_checks = [(key, check) for key, op in report["ops"].items() for check in op["checks"] if not check["passed"]]
    if failed_checks and not load_error:
        parts.append(_("## What failed\n"))
        first_with = {}  # feedback text, reason -> the check that showed it first
        for key, check in failed_checks:
            name = f"{key}.{check['name']}"  # the rubric's names, not the student's
            parts.append(f"### {name} ({_points(check['points'])}/{_points(check['max_points'])})\n")
            parts.append(_("Checks: {doc}\n").format(doc=_cell(check['doc'])))
            diagnosis = check.get("diagnosis", "")
            if diagnosis:
                label = _("Likely mistake") if check.get("mistake") else _("What differs")
                parts.append(f"**{label}:** {_cell(diagnosis)}\n")
            feedback = check.get("feedback") or check.get("reason") or "failed"
            reason = check.get("reason") or feedback
            if feedback in first_with or reason in first_with:
                parts.append((_("Same problem as {check} above.\n")
                              .format(check=first_with.get(feedback) or first_with[reason])))
                continue
            first_with[feedback] = first_with[reason] = name
            parts.append(markdown_block(feedback_body(feedback, diagnosis=diagnosis)))

    output = report.get("student_output", "")
    if output.strip():
        lines = output.splitlines()
        shown = "\n".join(lines[:OUTPUT_LINES]) + ((_("\n[... {n_lines} more lines]")
                                                    .format(n_lines=len(lines) - OUTPUT_LINES))
                                                     if len(lines) > OUTPUT_LINES else "")
        parts.append(_("## What your code printed\n"))
        parts.append(markdown_block(shown))
    return "\n".join(parts).rstrip() + "\n"
