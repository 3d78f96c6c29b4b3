"""Find and read a submission: an ops.py, a folder holding one, or a notebook.

Only the *text* is read here; nothing from the submission's folder is ever imported.

A notebook is graded from its code, each cell on its own as in Jupyter (`cell_module`): the
kit's notebook from its setup and answer cells (grader/nbgrader/answers.py, as nbgrader grades
it), any other notebook from all its code cells. So the kit's locked check cells, which import
``grader`` and ``rich``, never cost a point, and elsewhere a cell that imports something the
sandbox refuses loses only itself. This module is part of the students' copy of the grader,
which has no nbgrader part: there every notebook is read the second way.

Two kinds of failure, kept apart on purpose:

* the grader's user gave a path that is not a submission (missing, a folder without ops.py, an
  unreadable file): `SubmissionError`, one line, ``grader grade`` exits 2;
* the student's file is there but broken as a file (not UTF-8, a notebook that is not JSON):
  the student's mistake, like a syntax error. The `Submission` then carries ``error``, one
  sentence saying what to do, and every runner from `make_runner` reports it as the load
  error of a report scoring 0, so ``grade``, ``batch`` and every platform write that report.
"""

import io
import json
import tokenize
from dataclasses import dataclass
from pathlib import Path
from ..i18n import _


class SubmissionError(Exception):
    """The submission cannot be read at all; the message is one line saying what to do."""


@dataclass(frozen=True)
class Submission:
    path: Path        # what was given
    source: str       # Python source of ops.py (for a notebook: its cells, see notebook_code)
    filename: str     # the name shown in error messages ("ops.py")
    error: str = ""   # why the file cannot be graded at all, the student's mistake ("" if it can)


class NotebookError(ValueError):
    """The file is not a notebook that can be read; the message says so in one sentence."""


RUN_CELL = '''\
def __run_cell__(source, cell):
    try:
        exec(compile(source, __notebook__, "exec"), globals())
    except (Exception, SystemExit) as error:
        print(f"cell {cell} raised {type(error).__name__}: {error}")
'''


def cell_text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def without_magics(source: str) -> str:
    """IPython magics and shell lines (``%``, ``!``) commented out."""
    return "\n".join("# " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def cell_module(cells: list, filename: str) -> str:
    """The module source that runs every (cell id, source) on its own, in order. Each cell is a
    string literal here, compiled and run where the module runs (the sandbox worker reads the
    imports inside them, sandbox/imports.py `RUN_CELL`); one that does not compile or raises prints
    ``cell <id> raised ...`` into the student's output and the next cell runs."""
    calls = [f"__run_cell__({source!r}, {cell!r})" for cell, source in cells]
    return "\n".join([f"__notebook__ = {filename!r}", RUN_CELL, *calls]) + "\n"


def parse_notebook(data: bytes, name: str) -> dict:
    """The notebook's JSON (nbformat files are UTF-8), or NotebookError saying what is wrong."""
    try:
        notebook = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise NotebookError((_("{name} is not UTF-8 text: save the notebook from Jupyter and submit it again")
                             .format(name=name))) from None
    except (ValueError, RecursionError) as error:
        raise NotebookError(_("{name} is not a readable Jupyter notebook ({str}): save it from Jupyter and "
                              "submit it again").format(name=name, str=str(error)[:200])) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells", []), list):
        raise NotebookError(_("{name} is not a readable Jupyter notebook: save it from Jupyter and submit it "
                              "again").format(name=name))
    return notebook


def notebook_code(data: bytes, name: str) -> str:
    """The module source a notebook is graded on (see the module docstring)."""
    notebook = parse_notebook(data, name)
    try:
        from .answers import answer_cells
        cells = answer_cells(notebook)
    except ImportError:   # the students' copy of the grader
        cells = []
    if not cells:   # not the kit's notebook: every code cell, numbered as Jupyter shows them
        cells = [(str(number), without_magics(cell_text(cell.get("source", ""))))
                 for number, cell in enumerate(notebook.get("cells", []), 1)
                 if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    return cell_module(cells, name)


def locate(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise SubmissionError(_("no such file or folder: {path}").format(path=path))
    if path.is_file():
        return path
    for candidate in (path / "ops.py", path / "backprop" / "ops.py"):
        if candidate.is_file():
            return candidate
    notebooks = sorted(path.glob("*.ipynb"))
    if len(notebooks) == 1:
        return notebooks[0]
    raise SubmissionError((_("{path} holds no ops.py (looked for {path}/ops.py and {path}/backprop/ops.py)")
                           .format(path=path)))


def decode_source(data: bytes, name: str) -> tuple:
    """(text, "") as Python itself would read the file (UTF-8, a byte-order mark, or the encoding
    a PEP 263 ``# coding:`` line declares), or ("", one sentence) if it cannot be read so."""
    try:
        encoding, _lines = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), ""
    except UnicodeDecodeError as error:
        return "", ((_("{name} is not UTF-8 text (byte 0x{object:02x} at position {start}): save {name} as "
                       "UTF-8 and submit it again")
                     .format(name=name, object=error.object[error.start], start=error.start)))
    except (SyntaxError, LookupError) as error:   # an unknown or contradictory coding declaration
        return "", (_("{name} cannot be read ({error}): save {name} as UTF-8 and submit it again")
                    .format(name=name, error=error))


def read_submission(path) -> Submission:
    """The submission at `path`; raises `SubmissionError` only if there is no file to grade."""
    file = locate(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise SubmissionError(_("{file} cannot be read: {strerror}").format(file=file, strerror=error.strerror)) from None
    if file.suffix == ".ipynb":
        try:
            return Submission(Path(path), notebook_code(data, file.name), file.name)
        except NotebookError as error:
            return Submission(Path(path), "", file.name, str(error))
    text, error = decode_source(data, file.name)
    return Submission(Path(path), text, file.name, error)
