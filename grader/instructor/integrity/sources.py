"""A submission's code as parsed units, read and parsed, never run.

`grader/submission.py` reads the text (a folder, ``.py`` or ``.ipynb``, with Python's own
decoding rules). A notebook's text is the module that runs each cell on its own
(``__run_cell__(source, cell)``): here each cell becomes one unit again, so a flag quotes "cell 3,
line 2" as Jupyter numbers it, and a cell that does not parse costs only itself, as in Jupyter.
"""

import ast
from dataclasses import dataclass

from ...i18n import _
from ...run.submission import read_submission


@dataclass(frozen=True)
class Unit:
    """One piece of source that Python parses on its own: the file, or one notebook cell."""
    where: str          # "ops.py" or "cell 3", as a reviewer finds it
    text: str
    tree: object        # ast.Module, or None when the unit does not parse
    error: str = ""     # why it does not parse ("" if it does)

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


@dataclass(frozen=True)
class Code:
    """What the integrity report reads of one submission."""
    name: str           # the student id
    units: tuple        # Units, in the order Python would run them
    error: str = ""     # the submission cannot be read as text at all ("" if it can)


def parse(where: str, text: str) -> Unit:
    try:
        return Unit(where, text, ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        detail = _("line {line}: {message}").format(line=error.lineno, message=error.msg) \
            if isinstance(error, SyntaxError) else type(error).__name__
        return Unit(where, text, None, _("{where} does not parse ({detail})").format(where=where, detail=detail))


def _cells(module: ast.Module) -> list:
    """[(cell id, source)] of a module written by `submission.cell_module`, else []."""
    cells = []
    for statement in module.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "__run_cell__"
                and len(call.args) == 2 and all(isinstance(arg, ast.Constant) for arg in call.args)):
            cells.append((str(call.args[1].value), str(call.args[0].value)))
    return cells


def read_code(name: str, path) -> Code:
    """The units of the submission at `path`; raises `SubmissionError` only if no file is there."""
    submission = read_submission(path)
    if submission.error:
        return Code(name, (), submission.error)
    if submission.filename.endswith(".ipynb"):
        module = ast.parse(submission.source)  # written by the kit itself: always parses
        return Code(name, tuple(parse(_("cell {cell}").format(cell=cell), source) for cell, source in _cells(module)))
    return Code(name, (parse(submission.filename, submission.source),))
