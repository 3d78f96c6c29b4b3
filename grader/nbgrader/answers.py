"""The code a notebook submission is graded on: its answer cells, read from the file.

`read_answers` serves nbgrader (the kit's notebook, always). `notebook_code` serves every other
path (``grader grade``, ``batch``, the platforms): the kit's notebook, recognised by its answer
cells' ids, is graded the same way; any other notebook is graded from all its code cells, each
run on its own in the same way, so a cell that imports the grader or plots loses only itself.

Stricter than grader.submission's notebook reading (every code cell), because a notebook also
holds the check cells, scratch cells and, in the instructor's copy, hidden tests:

* only code cells whose nbgrader ``grade_id`` is the setup cell's or an answer cell's count
  (layout.graded_code_ids), in notebook order. A cell the student copied keeps its metadata, so
  both copies count and the later one wins, as when the notebook runs top to bottom;
* each cell runs on its own, as in Jupyter: a cell that does not compile, or raises at its top
  level, loses the rest of that cell only, and the classes of the other cells stay defined (a
  stray test call that raises in the Mul cell must not zero Embedding). Each cell's text is a
  string literal in the module, compiled and run where the module runs (the sandbox), never
  here; its error is printed as ``cell <grade_id> raised ...``, which lands in the student's
  captured output. Line numbers in error messages are the line within the cell.
* IPython magics and shell lines (``%``, ``!``) are commented out.

Only the file is read: nothing from the submission's folder is imported.
"""

import json
from pathlib import Path

from ..submission import Submission, SubmissionError
from .layout import graded_code_ids


class NotebookError(ValueError):
    """The file is not a notebook that can be read; the message says so in one sentence."""

_RUN_CELL = '''\
def __run_cell__(source, cell):
    try:
        exec(compile(source, __notebook__, "exec"), globals())
    except (Exception, SystemExit) as error:
        print(f"cell {cell} raised {type(error).__name__}: {error}")
'''


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _without_magics(source: str) -> str:
    return "\n".join("# " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def answer_cells(notebook: dict) -> list:
    """(grade_id, source) of every graded code cell, in notebook order."""
    wanted = graded_code_ids()
    cells = []
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id in wanted:
            cells.append((grade_id, _without_magics(_text(cell.get("source", "")))))
    return cells


def cell_module(cells: list, filename: str) -> str:
    """The module source that runs every (grade_id, source) cell on its own, in order."""
    calls = [f"__run_cell__({source!r}, {grade_id!r})" for grade_id, source in cells]
    return "\n".join([f"__notebook__ = {filename!r}", _RUN_CELL, *calls]) + "\n"


def parse_notebook(data: bytes, name: str) -> dict:
    """The notebook's JSON (nbformat files are UTF-8), or NotebookError saying what is wrong."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError(f"{name} is not UTF-8 text: save the notebook from Jupyter and submit it again") from None
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"{name} is not a readable Jupyter notebook ({str(error)[:200]}): "
                            f"save it from Jupyter and submit it again") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        raise NotebookError(f"{name} is not a readable Jupyter notebook: save it from Jupyter and submit it again")
    return notebook


def code_cells(notebook: dict) -> list:
    """("<n>", source) of every code cell, n counting all cells from 1 as Jupyter shows them."""
    return [(str(number), _without_magics(_text(cell.get("source", ""))))
            for number, cell in enumerate(notebook.get("cells", []), 1)
            if isinstance(cell, dict) and cell.get("cell_type") == "code"]


def notebook_code(data: bytes, name: str) -> str:
    """The module source a notebook is graded on: its answer cells if it is the kit's notebook,
    else all its code cells; each cell runs on its own (`cell_module`)."""
    notebook = parse_notebook(data, name)
    return cell_module(answer_cells(notebook) or code_cells(notebook), name)


def read_answers(path) -> Submission:
    """The graded code of a submitted notebook file (its answer cells only), as a Submission."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SubmissionError(f"no such notebook: {path}") from None
    except OSError as error:
        raise SubmissionError(f"{path.name} cannot be read: {error.strerror}") from None
    try:
        return Submission(path, cell_module(answer_cells(parse_notebook(data, path.name)), path.name), path.name)
    except NotebookError as error:
        raise SubmissionError(str(error)) from None
