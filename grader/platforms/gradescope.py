"""Gradescope: results.json from a Report, the autograder zip, and the entry run_autograder calls.

The results follow Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): one test per
rubric property, named ``<op>.<property>``, with its score, max_score, status and output (what
it checks, the minimal failing example, the diagnosis); a top-level score, execution_time and
output. The instructor picks when students see the checks (``--visibility`` at build time,
stored in the bundle's gradescope.json): ``visible`` (default) or ``after_due_date``,
``after_published``, ``hidden``. The top-level output is always shown to students, so it names
a syntax or load error but carries no per-check information unless the checks are visible.
Every output is plain text (``output_format: "text"``) with its control characters made visible.

The bundle (``grader gradescope build OUT.zip``) holds setup.sh and run_autograder at the
archive root, as Gradescope requires (its specs page, "Autograder zip"), plus requirements.txt (pinned), this
grader package, the hidden reference, the rubric and the example bank drawn from them
(solutions/bank.npz), so a fresh container does not draw it again for every submission.
"""

import json
import time
import zipfile
from importlib import resources
from pathlib import Path

from .. import __version__
from ..atomic import atomic_file
from ..i18n import N_, _
from ..render.escape import terminal
from ..core.rubric import DEFAULT_RUBRIC
from ..ops import registry
from ..ops.capstone import KEY as CAPSTONE
from ..paths import load_trusted, solutions_path
from ..run.submission import SubmissionError, read_submission
from . import (Grading, check_output, clear_results, load_lines, printed_lines, root_from_env, score_lines,
               syntax_error, write_results)

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
# Plain text, shown as it is: every output passes through `escape.terminal` (control characters
# made visible), and HTML or Markdown in student text stays text. Said at the top level and on
# every test, since Gradescope's defaults differ ("simple_format" at the top level).
OUTPUT_FORMAT = "text"
CONFIG_NAME = "gradescope.json"
BANK_NAME = "solutions/bank.npz"  # beside the reference: root-only in the container (run_autograder)
WHEN_SHOWN = {"after_due_date": N_("after the due date"), "after_published": N_("when grades are published"),
              "hidden": N_("by your instructor only")}


def root() -> Path:
    return root_from_env("GRADESCOPE_ROOT", "/autograder")


def read_config(path) -> str:
    """The visibility stored in a bundle's gradescope.json; "visible" without a config."""
    if path is None or not Path(path).exists():
        return "visible"
    from ..errors import UsageError

    try:
        visibility = json.loads(Path(path).read_text(encoding="utf-8")).get("visibility", "visible")
    except (ValueError, AttributeError):
        raise UsageError(_("{path} is not a JSON object; rebuild the bundle with `grader gradescope build`").format(path=path)) from None
    if visibility not in VISIBILITIES:
        raise UsageError(_("{path}: visibility must be one of {choices}, not {visibility}").format(
            path=path, choices=", ".join(VISIBILITIES), visibility=repr(visibility)))
    return visibility


def results(report, visibility: str, seconds: float, syntax: str = "") -> dict:
    """Gradescope's results.json for one graded submission."""
    tests = []
    for op_number, (key, op) in enumerate(report.ops.items(), start=1):
        for check_number, check in enumerate(op.checks, start=1):
            tests.append({
                "name": f"{key}.{check.name}",
                "number": f"{op_number}.{check_number}",
                "score": check.points,
                "max_score": check.max_points,
                "status": "passed" if check.passed else "failed",
                "output": terminal(check_output(check)),
                "output_format": OUTPUT_FORMAT,
                "tags": [key],
                "visibility": visibility,
                "extra_data": {"kind": check.kind, "examples": check.examples},
            })
    if syntax:
        lines = [syntax]
    else:
        lines = load_lines(report)
    if visibility == "visible":
        lines = lines + score_lines(report) + printed_lines(report)
    else:
        lines.append((_("Your submission was graded; its checks and score are shown {when_shown}.")
                      .format(when_shown=_(WHEN_SHOWN[visibility]))))
    return {
        "score": report.score,
        "execution_time": round(seconds),
        "output": terminal("\n".join(lines)),
        "output_format": OUTPUT_FORMAT,
        "visibility": visibility,
        "stdout_visibility": "hidden",  # run_autograder's stdout is for instructors
        "extra_data": {"grader": __version__, "oracle": report.oracle, "max_score": report.max_score},
        "tests": tests,
    }


def failure(message: str, seconds: float) -> dict:
    """Results when nothing could be graded: score 0 and one clear line."""
    return {"score": 0.0, "execution_time": round(seconds), "output": terminal(message), "output_format": OUTPUT_FORMAT,
            "stdout_visibility": "hidden", "extra_data": {"grader": __version__}, "tests": []}


def run(root_path: Path, grading: Grading, visibility: str = "visible") -> dict:
    """Grade ROOT/submission and write ROOT/results/results.json; returns what was written."""
    started = time.monotonic()
    target = Path(root_path) / "results" / "results.json"
    clear_results(target, private=True)
    try:
        try:
            submission = read_submission(Path(root_path) / "submission")
        except SubmissionError as error:
            data = failure((_("Nothing could be graded: {error}. Submit ops.py (or your notebook).")
                            .format(error=error)),
                           time.monotonic() - started)
        else:
            report = grading.grade_submission(submission)
            data = results(report, visibility, time.monotonic() - started, syntax_error(submission))
    except Exception:
        write_results(target, failure(_("The autograder failed on this submission (not your fault); your "
                                        "instructor can see the error and will regrade it."),
                                      time.monotonic() - started))
        raise
    write_results(target, data)
    return data


# --- the bundle -------------------------------------------------------------------------------

TEMPLATES = ("setup.sh", "run_autograder", "requirements.txt")
EXECUTABLE = {"setup.sh", "run_autograder"}
ZIP_TIME = (2024, 1, 1, 0, 0, 0)  # fixed: the same inputs build the same zip


def template(name: str) -> bytes:
    return resources.files(__package__).joinpath("templates", name).read_bytes()


def _package_files():
    """(archive name, bytes) of every file of this grader package, caches left out."""
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield f"grader/{path.relative_to(package).as_posix()}", path.read_bytes()


def _checked_reference(path: Path) -> bytes:
    from ..errors import UsageError

    if not path.is_file():
        raise UsageError(_("reference solutions not found at {path} (set BACKPROP_SOLUTIONS)").format(path=path))
    module = load_trusted(path, "backprop_reference_bundle")
    absent = [op.class_name for op in registry.builtin().contract if not isinstance(getattr(module, op.class_name, None), type)]
    if absent:
        raise UsageError(_("{path} is not the reference solutions: no class {classes}").format(path=path, classes=", ".join(absent)))
    return path.read_bytes()


def bundle_files(visibility: str = "visible", rubric_path=None, course_dir=None) -> dict:
    """Archive name -> bytes of the autograder zip; checks the rubric, course and reference first.

    A course folder travels whole under solutions/course/ (private, like the reference), and the
    bundle's scripts select it with GRADER_COURSE."""
    rubric_file = Path(rubric_path) if rubric_path else DEFAULT_RUBRIC
    course = registry.select(course_dir)
    rubric = course.rubric(rubric_file)  # a bad rubric fails here, not on the first student's submission
    files = {name: template(name) for name in TEMPLATES}
    files[CONFIG_NAME] = (json.dumps({"visibility": visibility}, indent=2) + "\n").encode()
    files["rubric.toml"] = rubric_file.read_bytes()
    files["solutions/backprop/ops.py"] = _checked_reference(solutions_path())
    if rubric.parts.get(CAPSTONE):
        files.update(_capstone_files(rubric))
    if course.folder is not None:
        course.reference()  # a course reference that cannot be loaded fails here too
        files.update(_course_files(course))
    files[BANK_NAME] = _bank_bytes(course, rubric)
    files.update(_package_files())
    return files


def _capstone_files(rubric) -> dict:
    """What grading a graph.py needs beside the ops' reference: the reference tape (private, under
    solutions/ like ops.py), the given network, where the bundled grader looks for them, and the
    capstone's cases drawn now (a fresh container would draw them per submission)."""
    from ..ops.capstone.grade import shipped_cases
    from ..ops.capstone.oracle import reference_graph_path
    from ..ops.capstone.runner import network_path

    name, data = shipped_cases(rubric)
    return {"solutions/backprop/graph.py": reference_graph_path().read_bytes(),
            "assignments/backprop/network.py": network_path().read_bytes(), name: data}


def _course_files(course) -> dict:
    """solutions/course/: course.toml and every file it names, under their names in the folder."""
    toml = course.folder / "course.toml"
    names = {toml} | {Path(p) for p in course.modules} | set(course.references.values())
    return {f"solutions/course/{path.resolve().relative_to(course.folder).as_posix()}": path.read_bytes()
            for path in sorted(names)}


def _bank_bytes(course, rubric) -> bytes:
    """The example bank of this rubric and reference, as the bundle ships it: a fresh container
    loads it (milliseconds) instead of drawing it (seconds). Its key names this grader, reference,
    rubric and the build machine's library versions; setup.sh redraws it if the image's differ."""
    import tempfile

    from ..core.bankfile import bank_key, save_bank
    from ..cli.commands import bank_cache
    from ..core.context import hidden_oracle

    oracle = hidden_oracle(course.reference())
    bank = bank_cache(oracle, rubric)  # the instructor's cache, if `grader grade` drew it already
    with tempfile.TemporaryDirectory(prefix="grader-bundle-") as folder:
        path = Path(folder) / "bank.npz"
        save_bank(bank, path, bank_key(oracle, rubric))
        return path.read_bytes()


def build(out, visibility: str = "visible", rubric_path=None, course_dir=None) -> list:
    """Write the Gradescope autograder zip to OUT; returns the archive names."""
    files = bundle_files(visibility, rubric_path, course_dir)
    with atomic_file(out) as file, zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if name in EXECUTABLE else 0o100644) << 16
            archive.writestr(info, data)
    return list(files)
