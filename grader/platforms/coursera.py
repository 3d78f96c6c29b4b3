"""Coursera programming assignments: /shared/submission in, /shared/feedback.json out.

The contract (coursera/coursera_autograder ``grade local``, which validates the file exactly
so): a JSON object with ``fractionalScore``, a number in [0, 1] (not a bool), and
``feedback``, a string shown to the learner. Coursera renames the learner's file to the part's
suggested file name, so set it to ``ops.py`` (or ``ops.ipynb``) when authoring the item.

Coursera does not document how it renders ``feedback``, so it is `escape.inert_text`: plain
text that stays plain whether it is shown as text, HTML or Markdown.
"""

from pathlib import Path

from ..render.escape import inert_text
from ..run.submission import SubmissionError, read_submission
from . import (Grading, check_output, clear_results, fraction, load_lines, printed_lines, root_from_env,
               score_lines, syntax_error, write_results)
from ..i18n import _


def root() -> Path:
    return root_from_env("COURSERA_ROOT", "/shared")


def feedback_text(report, syntax: str = "") -> str:
    """The score per op, then every failed check's example and diagnosis, then what the code printed."""
    if syntax:
        return syntax
    lines = load_lines(report) + score_lines(report)
    for key, op in report.ops.items():
        for check in op.checks:
            if not check.passed and check.feedback != report.load_error:
                lines += ["", f"{key}.{check.name}: failed", check_output(check)]
    printed = printed_lines(report)
    return "\n".join(lines + ([""] + printed if printed else []))


def feedback(report, syntax: str = "") -> dict:
    return {"fractionalScore": 0.0 if syntax else float(fraction(report)),
            "feedback": inert_text(feedback_text(report, syntax))}


def run(root_path: Path, grading: Grading) -> dict:
    """Grade ROOT/submission and write ROOT/feedback.json; returns what was written."""
    target = Path(root_path) / "feedback.json"
    clear_results(target)  # /shared is Coursera's own folder: its mode is left alone
    try:
        try:
            submission = read_submission(Path(root_path) / "submission")
        except SubmissionError as error:
            data = {"fractionalScore": 0.0, "feedback": inert_text((_("Nothing could be graded: {error}.")
                                                                    .format(error=error)))}
        else:
            data = feedback(grading.grade_submission(submission), syntax_error(submission))
    except Exception:
        write_results(target, {"fractionalScore": 0.0, "feedback": _("The grader failed on this submission (not your "
                                                                     "fault). Please tell the course staff, then submit "
                                                                     "again.")})
        raise
    write_results(target, data)
    return data
