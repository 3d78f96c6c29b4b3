"""Autograder platforms: one submission in a platform's folder layout in, its results file out.

Every adapter (gradescope.py, prairielearn.py, coursera.py) follows the same steps, so one
trusted grading core serves all of them (student code runs apart from the process that writes
the results file):

1. clear the results file a submission could have planted, create the results folder;
2. read the submission's *text* and grade it with the hidden reference through
   ``make_runner`` (the sandbox once it exists: the student's code never runs here);
3. write the platform's file atomically, after the runner is closed, from this process only.

A grader failure still writes a results file that says so (fail closed: never a stale or a
planted file), then re-raises so the command exits non-zero.

Roots default to each platform's documented path and are overridable by an environment
variable (GRADESCOPE_ROOT, PRAIRIELEARN_ROOT, COURSERA_ROOT), so the kit's tests run without
Docker.
"""

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic
from ..core.context import SHIPPED, GradingContext
from ..core.feedback import diagnosis_line, feedback_body
from ..core.grade import OpScore, Report
from ..i18n import _
from ..ops import registry
from ..run.factory import make_runner

OUTPUT_CAP = 5_000     # characters of one check's feedback kept in a results file
PRINTED_CAP = 2_000    # characters of the student's own printed output shown back


def root_from_env(variable: str, default: str) -> Path:
    return Path(os.environ.get(variable) or default)


@dataclass(frozen=True)
class Grading(GradingContext):
    """The trusted half of a grade (the hidden reference, the rubric and its example bank), and
    how a platform grades one submission with it."""

    @classmethod
    def load(cls, rubric_path=None, bank_path=None, course=None) -> "Grading":
        """With `bank_path`, the bank the image ships there (drawn for this run if stale, never
        rewritten: context.SHIPPED); without, one drawn as the properties are graded. `course`: a
        course folder, else $GRADER_COURSE, else the kit's ops."""
        ops = registry.select(course)
        return cls.hidden(ops, ops.rubric(rubric_path), bank_path, SHIPPED, jobs=os.cpu_count() or 1)

    def grade_submission(self, submission) -> Report:
        """The report; with a graph.py beside ops.py, the capstone's checks join it as one more part
        ("capstone.<property>" tests, its points in the score), graded in the same runner."""
        from ..ops.capstone import KEY, session

        graph = session.read_graph(submission.path) if session.graded(self.rubric, submission.path) else None
        runner = session.start_runner(submission, graph) if graph else make_runner(submission)
        try:
            report = self.grade(submission.filename, runner, shrink=True)
            if graph:
                part = session.grade_part(runner, self.rubric, graph)
                report.ops[KEY] = OpScore(KEY, part.score, part.max_score, part.checks)
                report.score += part.score
                report.max_score += part.max_score
            return report
        finally:
            runner.close()


def syntax_error(submission) -> str:
    """One line if the submission does not compile, else "".

    Compiling runs none of the student's code, so it is safe here; it lets every platform say
    "syntax error" plainly (and PrairieLearn refund the attempt) whatever the runner reports.
    """
    try:
        compile(submission.source, submission.filename, "exec")
    except SyntaxError as error:
        where = _(" on line {lineno}").format(lineno=error.lineno) if error.lineno else ""
        return ((_("{filename} has a syntax error{where}: {msg}. Nothing could be graded; fix it (python -m "
                   "py_compile {filename} shows the same error) and submit again.")
                 .format(filename=submission.filename, where=where, msg=error.msg)))
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return (_("{filename} cannot be compiled ({name}: {error}); nothing could be graded.")
                .format(filename=submission.filename, name=type(error).__name__, error=error))
    return ""


def capped(text: str, limit: int = OUTPUT_CAP) -> str:
    return text if len(text) <= limit else text[:limit] + "\n[... truncated]"


def check_message(check) -> str:
    """A failed check's one-line reason, with the likely mistake when there is one."""
    if check.passed:
        return _("passed")
    return check.reason + (f"\n{diagnosis_line(check.diagnosis, check.mistake)}" if check.diagnosis else "")


def check_output(check) -> str:
    """What a check shows a student: what it tests, and for a failure its feedback (the reason,
    the minimal example, got and expected, the likely mistake: each once)."""
    if check.passed:
        return _("Passed: {doc}.").format(doc=check.doc)
    return capped(_("Checks: {doc}.").format(doc=check.doc) + f"\n{check.feedback or check.reason}")


def check_details(check) -> str:
    """`check_output` without what `check_message` says (the reason and the likely mistake),
    for a platform that shows both side by side."""
    if check.passed:
        return _("Passed: {doc}.").format(doc=check.doc)
    body = feedback_body(check.feedback or check.reason, check.reason, check.diagnosis)
    return capped(_("Checks: {doc}.").format(doc=check.doc) + (f"\n{body}" if body else ""))


def score_lines(report: Report) -> list:
    """"Score: 84/100" and one line per op naming the failed checks."""
    lines = [_("Score: {score:g}/{max_score:g}").format(score=report.score, max_score=report.max_score)]
    for key, op in report.ops.items():
        failed = [check.name for check in op.checks if not check.passed]
        lines.append(f"  {key:11} {op.score:g}/{op.max_score:g}" + ("  " + _("failed: {checks}").format(checks=", ".join(failed)) if failed else ""))
    return lines


def load_lines(report: Report) -> list:
    if not report.load_error:
        return []
    return [(_("Your code could not be loaded, so every check scores 0: {load_error}")
             .format(load_error=report.load_error))]


def printed_lines(report: Report) -> list:
    if not report.student_output.strip():
        return []
    return [_("Your code printed:"), capped(report.student_output, PRINTED_CAP)]


def fraction(report: Report) -> float:
    """The score in [0, 1]."""
    return min(1.0, max(0.0, report.score / report.max_score)) if report.max_score else 0.0


def clear_results(path: Path, private: bool = False) -> None:
    """Create the results folder and delete a results file planted before grading.

    ``private``: make the folder 0700, so only its owner (root in a container, never the
    sandbox's unprivileged worker) can write it (Gradescope best practices, §1.5).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if private:
        with contextlib.suppress(OSError):  # a folder we do not own: the sandbox still guards it
            path.parent.chmod(0o700)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def write_results(path: Path, data: dict) -> None:
    """Write JSON to `path` atomically (a temporary file beside it, renamed over it)."""
    # 0644: platforms read it as another user; its folder guards writes.
    write_atomic(path, json.dumps(data, indent=2) + "\n", mode=0o644)

