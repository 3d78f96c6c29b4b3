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
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.context import SHIPPED, GradingContext
from ..core.feedback import diagnosis_line, feedback_body
from ..core.grade import OpScore, Report
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
        where = f" on line {error.lineno}" if error.lineno else ""
        return (f"{submission.filename} has a syntax error{where}: {error.msg}. Nothing could be graded; "
                f"fix it (python -m py_compile {submission.filename} shows the same error) and submit again.")
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return f"{submission.filename} cannot be compiled ({type(error).__name__}: {error}); nothing could be graded."
    return ""


def capped(text: str, limit: int = OUTPUT_CAP) -> str:
    return text if len(text) <= limit else text[:limit] + "\n[... truncated]"


def check_message(check) -> str:
    """A failed check's one-line reason, with the likely mistake when there is one."""
    if check.passed:
        return "passed"
    return check.reason + (f"\n{diagnosis_line(check.diagnosis, check.mistake)}" if check.diagnosis else "")


def check_output(check) -> str:
    """What a check shows a student: what it tests, and for a failure its feedback (the reason,
    the minimal example, got and expected, the likely mistake: each once)."""
    if check.passed:
        return f"Passed: {check.doc}."
    return capped(f"Checks: {check.doc}.\n{check.feedback or check.reason}")


def check_details(check) -> str:
    """`check_output` without what `check_message` says (the reason and the likely mistake),
    for a platform that shows both side by side."""
    if check.passed:
        return f"Passed: {check.doc}."
    body = feedback_body(check.feedback or check.reason, check.reason, check.diagnosis)
    return capped(f"Checks: {check.doc}." + (f"\n{body}" if body else ""))


def score_lines(report: Report) -> list:
    """"Score: 84/100" and one line per op naming the failed checks."""
    lines = [f"Score: {report.score:g}/{report.max_score:g}"]
    for key, op in report.ops.items():
        failed = [check.name for check in op.checks if not check.passed]
        lines.append(f"  {key:11} {op.score:g}/{op.max_score:g}" + (f"  failed: {', '.join(failed)}" if failed else ""))
    return lines


def load_lines(report: Report) -> list:
    if not report.load_error:
        return []
    return [f"Your code could not be loaded, so every check scores 0: {report.load_error}"]


def printed_lines(report: Report) -> list:
    if not report.student_output.strip():
        return []
    return ["Your code printed:", capped(report.student_output, PRINTED_CAP)]


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
    """Write JSON to a temporary file beside `path`, then rename it over `path` (atomic)."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
        os.chmod(temporary, 0o644)  # platforms read it as another user; its folder guards writes
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

