"""PrairieLearn external grading: /grade/student in, /grade/results/results.json out.

The contract (PrairieLearn docs/externalGrading.md,
https://prairielearn.readthedocs.io/en/latest/externalGrading/): ``score`` in
[0, 1] is required when the submission is gradable; ``gradable: false`` (with
``format_errors``) shows "invalid, not gradable" and costs the student no attempt; ``tests[]``
carry ``name``, ``description``, ``points``, ``max_points``, ``message`` and ``output``, and
PrairieLearn shows per-test points only when every test has both. The file must stay under
1 MB: outputs are capped (about 0.2 MB at most for the default rubric).

PrairieLearn shows ``message`` and ``output`` in ``<pre>`` after converting them with ansi2html
(https://github.com/PrairieLearn/PrairieLearn, apps/prairielearn/elements/
pl-external-grader-results/), which escapes HTML but turns escape sequences into colours and
OSC 8 links, so they pass through `escape.terminal`; its Mustache template HTML-escapes
``name`` and ``description``. A test's ``message`` is its reason and likely mistake,
its ``output`` the minimal example (`check_details`): each is said once.

Not gradable: a syntax error (the student's fault, but nothing was graded) and a grader
failure (not the student's fault). Everything else, including code that compiles but fails to
load, is graded and scores what it earns.
"""

import time
from pathlib import Path

from ..render.escape import terminal
from ..run.submission import SubmissionError, read_submission
from . import (Grading, capped, check_details, check_message, clear_results, fraction, load_lines, printed_lines,
               root_from_env, score_lines, syntax_error, write_results)
from ..i18n import _


def root() -> Path:
    return root_from_env("PRAIRIELEARN_ROOT", "/grade")


def not_gradable(message: str) -> dict:
    message = terminal(message)
    return {"gradable": False, "message": message, "format_errors": [message]}


def results(report, syntax: str = "") -> dict:
    if syntax:
        return not_gradable(syntax)
    tests = [{
        "name": f"{key}.{check.name}",
        "description": check.doc,
        "points": check.points,
        "max_points": check.max_points,
        "message": terminal(check_message(check)),
        "output": terminal(check_details(check)),
    } for key, op in report.ops.items() for check in op.checks]
    return {
        "gradable": True,
        "score": fraction(report),
        "points": report.score,
        "max_points": report.max_score,
        "message": terminal("\n".join(load_lines(report) + score_lines(report))),
        "output": terminal(capped("\n".join(printed_lines(report)))),
        "tests": tests,
    }


def run(root_path: Path, grading: Grading) -> dict:
    """Grade ROOT/student and write ROOT/results/results.json; returns what was written."""
    started = time.monotonic()
    target = Path(root_path) / "results" / "results.json"
    clear_results(target, private=True)
    try:
        try:
            submission = read_submission(Path(root_path) / "student")
        except SubmissionError as error:
            data = {"gradable": True, "score": 0.0, "points": 0.0, "max_points": grading.rubric.max_score,
                    "message": terminal(_("Nothing could be graded: {error}.").format(error=error)), "tests": []}
        else:
            data = results(grading.grade_submission(submission), syntax_error(submission))
    except Exception:
        write_results(target, not_gradable(_("The grader failed on this submission (not your fault); it does "
                                             "not count as an attempt. Please tell your instructor.")))
        raise
    data["execution_time"] = round(time.monotonic() - started, 3)  # extra fields are kept, not shown
    write_results(target, data)
    return data
