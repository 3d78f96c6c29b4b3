"""feedback.html: one student's report as a web page, linked from summary.html.

Rendered from the report's JSON form (what report.json holds) with an autoescaping template,
so a resumed or merged batch renders what a fresh one does, and nothing the submission
printed, raised or is named becomes markup. It says what feedback.md says: the score per op,
every failed check with its likely mistake and its minimal failing example (a feedback text
shown once, later checks that fail the same way point to it), then what the code printed.
"""

from .pages import render
from ..i18n import _

OUTPUT_LINES = 40  # lines of the student's own printed output shown


def failed_checks(report: dict) -> list:
    """[{"name": "op.check", "check": ..., "same_as": earlier name or ""}] in report order."""
    first_with, failed = {}, []
    for key, op in report["ops"].items():
        for check in op["checks"]:
            if check["passed"]:
                continue
            name = f"{key}.{check['name']}"
            feedback = check.get("feedback") or check.get("reason") or "failed"
            failed.append({"name": name, "check": check, "feedback": feedback,
                           "same_as": first_with.get(feedback, "")})
            first_with.setdefault(feedback, name)
    return failed


def feedback_html(student_id: str, report: dict, summary_link: str = "../summary.html") -> str:
    lines = report.get("student_output", "").splitlines()
    output = "\n".join(lines[:OUTPUT_LINES]) + ((_("\n[... {n_lines} more lines]")
                                                 .format(n_lines=len(lines) - OUTPUT_LINES))
                                                 if len(lines) > OUTPUT_LINES else "")
    return render("feedback.html.j2", student_id=student_id, report=report,
                  load_error=report.get("load_error", ""), status=report.get("status", ""),
                  failed=failed_checks(report), output=output if output.strip() else "", summary_link=summary_link)
