"""`grader nbgrader init`: a ready nbgrader course for the backprop assignment.

It writes two files into COURSE_DIR:

* ``nbgrader_config.py`` (CONFIG below), the settings docs/nbgrader.md §6 explains, with
  TrustedScores in place of nbgrader's Execute so scores come from the sandboxed grader;
* ``source/backprop/backprop.ipynb``, generated from the kit (notebook.py). It is rewritten on
  every run: edit the kit (solutions, rubric, handout), never the notebook.

An existing ``nbgrader_config.py`` is kept unless ``force`` is given, since instructors add
their own settings to it.
"""

import ast
from pathlib import Path

from ..atomic import write_atomic
from ..paths import REPO, solutions_path
from ..ops import registry
from ..run.cells import ASSIGNMENT, NOTEBOOK

CONFIG = '''\
"""nbgrader settings for the backprop course, written by `grader nbgrader init`.

Why each one: docs/nbgrader.md in the grader kit (measured with nbgrader 0.9.6).
"""
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput,
                                    GetGrades, IgnorePattern, LimitOutput, OverwriteCells,
                                    OverwriteKernelspec, SaveAutoGrades)

from grader.nbgrader.clear_hidden import ClearHiddenTests  # nbgrader's, minus a harmless warning
from grader.nbgrader.preprocessor import TrustedScores
from grader.nbgrader.sanitize import SafeDeduplicateIds

c = get_config()  # noqa: F821 - nbgrader defines get_config when it loads this file
{course_line}
c.CourseDirectory.course_id = {course_id!r}
# Never copied into release/ or autograded/: editor and test caches, and anything that could
# shadow the grader package in a kernel.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            ".hypothesis", ".pytest_cache", "grader*", "conftest.py"]

# Scores: the kit's graded cells are scored from the submitted file by the sandboxed grader
# (TrustedScores replaces Execute; no kernel runs for the backprop notebook).
c.TrustedScores.rubric = {rubric!r}  # empty: the kit's grader/core/rubric.toml
c.Autograde.autograde_preprocessors = [TrustedScores, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                       CheckCellMetadata]

# A copied cell must not abort the batch (nbgrader#1083); deleted graded cells come back.
c.Autograde.sanitize_preprocessors = [ClearOutput, SafeDeduplicateIds, OverwriteKernelspec,
                                      OverwriteCells, CheckCellMetadata]
c.OverwriteCells.add_missing_cells = True

# Notebooks that do run in a kernel (other assignments, `nbgrader validate`). Execute.timeout,
# not ExecutePreprocessor.timeout: the subclass setting wins, even over the command line.
c.Execute.timeout = 120
c.Execute.kernel_name = "python3"
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"(UserWarning|RuntimeWarning|DeprecationWarning)"

# Feedback without the hidden part of the graded cells (nbgrader#917).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
'''


def config_text(course_id: str, rubric: str = "", ops_course: str = "") -> str:
    """The config; with `ops_course` (a course folder), every nbgrader run grades that course's ops."""
    line = (f"import os  # noqa: E402\nos.environ[\"GRADER_COURSE\"] = {ops_course!r}  # the ops: a course folder\n"
            if ops_course else "")
    return CONFIG.format(course_id=course_id, rubric=rubric, course_line=line)


def course_solutions(course) -> str:
    """The reference source the notebook's answer cells come from: the kit's, then each course op's."""
    parts = [solutions_path().read_text(encoding="utf-8")] if course.builtin_keys else []
    parts += [path.read_text(encoding="utf-8") for path in course.references.values()]
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def stub_docstring() -> str:
    stubs = REPO / "assignments" / "backprop" / "ops.py"
    return ast.get_docstring(ast.parse(stubs.read_text(encoding="utf-8"))) or ""


def write_notebook(path: Path, rubric_path: str = "", course=None) -> None:
    import nbformat

    from .notebook import build_notebook

    course = course or registry.select()
    notebook = build_notebook(course_solutions(course), stub_docstring(),
                              REPO / "assignments" / "backprop" / "README.md", course.rubric(rubric_path or None),
                              rubric_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(notebook)
    write_atomic(path, text if text.endswith("\n") else text + "\n")  # as nbformat.write ends it


def init_course(course_dir, course_id=None, rubric_path=None, force: bool = False, ops_course=None) -> dict:
    """Write the course; returns {"config": (path, written?), "notebook": path}."""
    course_dir = Path(course_dir)
    course_dir.mkdir(parents=True, exist_ok=True)
    rubric = str(Path(rubric_path).resolve()) if rubric_path else ""
    course = registry.select(ops_course)  # a bad course folder fails here, before anything is written
    course.rubric(rubric or None)  # and so does a bad rubric
    folder = str(course.folder) if course.folder else ""
    config = course_dir / "nbgrader_config.py"
    write_config = force or not config.exists()
    if write_config:
        write_atomic(config, config_text(course_id or course_dir.resolve().name, rubric, folder))
    notebook = course_dir / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    write_notebook(notebook, rubric, course)
    return {"config": (config, write_config), "notebook": notebook}
