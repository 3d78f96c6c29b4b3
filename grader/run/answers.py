"""The code a notebook submission is graded on: its answer cells, read from the file.

`read_answers` serves nbgrader: the kit's notebook, graded from its answer cells only. The
other paths (``grader grade``, ``batch``, the platforms, ``grader check``) read notebooks with
grader.run.submission, which uses `answer_cells` for the kit's notebook too, and every code cell of
any other notebook. A notebook also holds the check cells, scratch cells and, in the
instructor's copy, hidden tests, so here:

* only code cells whose nbgrader ``grade_id`` is the setup cell's or an answer cell's count
  (cells.is_graded_code), in notebook order. A cell the student copied keeps its metadata, so
  both copies count and the later one wins, as when the notebook runs top to bottom;
* each cell runs on its own, as in Jupyter (grader.run.submission.cell_module): a cell that does
  not compile, or raises at its top level, loses the rest of that cell only, and the classes of
  the other cells stay defined (a stray test call that raises in one op's cell must not zero
  another op). Each cell's text is a string literal in the module, compiled and run where the
  module runs (the sandbox), never here; its error is printed as ``cell <grade_id> raised
  ...``, which lands in the student's captured output. Line numbers in error messages are the
  line within the cell.
* IPython magics and shell lines (``%``, ``!``) are commented out.

Only the file is read: nothing from the submission's folder is imported.
"""

from pathlib import Path

from .submission import (NotebookError, Submission, SubmissionError, cell_module, cell_text,  # noqa: F401
                          parse_notebook, without_magics)
from .cells import is_graded_code
from ..i18n import _


def code_cells(notebook: dict, wanted) -> list:
    """(grade_id, source, magics commented out) of every code cell whose nbgrader grade_id passes
    `wanted(grade_id)`, in notebook order; a malformed cell or metadata is skipped."""
    cells = []
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if wanted(grade_id):
            cells.append((grade_id, without_magics(cell_text(cell.get("source", "")))))
    return cells


def answer_cells(notebook: dict) -> list:
    """(grade_id, source) of every graded code cell (the setup and the ops' answers), in notebook order."""
    return code_cells(notebook, is_graded_code)


def read_answers(path) -> Submission:
    """The graded code of a submitted notebook file (its answer cells only), as a Submission."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SubmissionError(_("no such notebook: {path}").format(path=path)) from None
    except OSError as error:
        raise SubmissionError(_("{name} cannot be read: {strerror}").format(name=path.name, strerror=error.strerror)) from None
    try:
        return Submission(path, cell_module(answer_cells(parse_notebook(data, path.name)), path.name), path.name)
    except NotebookError as error:
        raise SubmissionError(str(error)) from None
