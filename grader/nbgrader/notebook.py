"""Generate the instructor's notebook, source/backprop/backprop.ipynb, from the kit.

Nothing in it is written by hand, so it cannot drift from the kit:

* the handout: assignments/backprop/README.md if it exists, else the stubs' module docstring,
  without the sections that mark themselves ``<!-- not in the notebook -->`` (installing and
  running pytest) and with its relative links unlinked (the notebook travels alone);
* a locked setup cell: the solution module's imports;
* a locked cell defining ``check(op_key, cls)`` (PUBLIC_CHECKS): the op's graded properties on
  the student's class, in the kernel, with the `Numeric` oracle. It imports only modules the
  students' copy of the grader has (grader/instructor/release.py STUDENT_FOLDERS);
* per op, from solutions/backprop/ops.py: an answer cell holding the class exactly as the
  solutions write it, ``### BEGIN SOLUTION`` / ``### END SOLUTION`` included, so
  ``nbgrader generate_assignment`` turns it into the same stub as grader/instructor/stubs.py; a locked
  check cell, ``check("<op key>", <OpClass>)``; and a graded cell, locked, worth the rubric's points for
  the op, whose hidden part computes the score (hidden.score; the release keeps only a comment).

A module-level solution helper (``_sum_to_shape``) is not given to students (the stubs drop it),
and an nbgrader solution region at module level would become a top-level ``raise
NotImplementedError()`` in the release. So the helper goes into the answer cell of the first
class that uses it, inside that class's last solution region, which is stretched to the end of
the cell: the release then shows the class with its stub body and no helper.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from ..ops import registry
from ..instructor.stubs import BEGIN, END
from .capstone_cells import capstone_cells
from ..run.cells import PUBLIC_CHECKS_ID, SETUP_ID, answer_id, check_id, score_id

NOT_IN_NOTEBOOK = "<!-- not in the notebook -->"
RELATIVE_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?![a-z][a-z0-9+.-]*:|#)[^)\s]*\)")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

PUBLIC_CHECKS = """\
# The public checks: the graded properties of one op, run here on your class. The expected
# gradients are finite differences of the given forward, so no reference solution is needed.
from rich.console import Console

from grader.core.bank import Bank
from grader.core.grade import Report, grade_op
from grader.core.oracles import Numeric
from grader.ops import registry
from grader.render.terminal import render_feedback, render_table
from grader.run.in_process import InProcessRunner

_course = registry.select()
_rubric = _course.rubric()
_oracle = Numeric(_course.given())
_bank = Bank(_oracle, _rubric)


def check(op_key, cls):
    op = _rubric.contract[op_key]
    runner = InProcessRunner("", "backprop.ipynb")
    setattr(runner.module, op.class_name, cls)  # your class, as if it were in ops.py
    result = grade_op(op, runner, _oracle, _rubric, _bank)
    report = Report(op.class_name, _oracle.name, result.score, result.max_score, {op_key: result})
    console = Console(highlight=False)
    render_table(report, console, title=f"Public checks: {op.class_name}")
    render_feedback(report, console)
"""

HOW_IT_WORKS = """\
## How this notebook is graded

* Write your code in the **answer cells**: the cells holding the classes, and at the end the
  capstone's `backward` and `sgd_step`. Only the answer cells (and the import cell above the
  classes) are graded: a helper function your code needs must be defined in an answer cell too,
  not in a cell you added.
* The **check cell** under each class runs the public checks on it, with the points each check
  is worth. Passing all of them means full marks for that class.
* The **graded cell** under each check cell holds only a comment in your copy. When your
  notebook is graded, your answer cells are read from the file you submit and run, outside this
  notebook, with the same checks against the hidden reference; the graded cell then shows your
  score and what failed.
* Do not rename this notebook, and do not delete, copy or edit the locked cells.
"""


@dataclass(frozen=True)
class KitSources:
    """The parts of the solution module the notebook is built from."""

    prelude: str          # module-level code that is neither a class nor a solution block
    classes: dict         # class name -> its full text, solution markers included
    helpers: list         # (names defined, text) of each module-level solution block


def _solution_blocks(lines):
    """(start, end) line indexes of every module-level BEGIN/END SOLUTION pair."""
    blocks, start = [], None
    for index, line in enumerate(lines):
        if line.rstrip() == BEGIN:
            start = index
        elif line.rstrip() == END and start is not None:
            blocks.append((start, index))
            start = None
    return blocks


def read_kit(solution_source: str) -> KitSources:
    lines = solution_source.splitlines()
    tree = ast.parse(solution_source)
    blocks = _solution_blocks(lines)
    in_block = {i for start, end in blocks for i in range(start, end + 1)}
    helpers = []
    for start, end in blocks:
        text = "\n".join(lines[start + 1:end]).strip("\n")
        names = [node.name for node in ast.parse(text).body
                 if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
        helpers.append((names, text))
    classes, prelude = {}, []
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    for node in body:
        first = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
        if first in in_block:
            continue
        if isinstance(node, ast.ClassDef):
            # A class's text runs to the next line at column 0: its trailing comments
            # (the last ### END SOLUTION) belong to it although the AST ends before them.
            last = node.end_lineno
            while last < len(lines) and (not lines[last].strip() or lines[last].startswith((" ", "\t"))):
                last += 1
            classes[node.name] = "\n".join(lines[first:last]).rstrip()
        else:
            prelude.append("\n".join(lines[first:node.end_lineno]))
    return KitSources("\n".join(prelude), classes, helpers)


def _with_helpers(class_text: str, helper_texts: list) -> str:
    """The class followed by the helpers, inside its last solution region (see the module doc)."""
    lines = class_text.splitlines()
    if not lines or lines[-1].strip() != END:
        raise ValueError("a module-level solution helper can only follow a class whose last "
                         f"lines are a solution region; {lines[0] if lines else 'a class'} is not")
    return "\n".join(lines[:-1]) + "\n\n\n" + "\n\n\n".join(helper_texts) + "\n" + END


def answer_sources(kit: KitSources, ops=None) -> dict:
    """op key -> the source of its answer cell, helpers placed with their first user."""
    ops = tuple(ops or registry.select().contract)
    placed = set()
    sources = {}
    for op in ops:
        text = kit.classes[op.class_name]
        mine = []
        for index, (names, helper) in enumerate(kit.helpers):
            used = any(re.search(rf"\b{re.escape(name)}\b", text) for name in names)
            if index not in placed and (used or op is ops[-1]):
                placed.add(index)
                mine.append(helper)
        sources[op.key] = _with_helpers(text, mine) if mine else text
    return sources


def handout_sections(readme: Path, stub_docstring: str) -> list:
    """The handout as markdown, one piece per ``## `` section (one cell each, for navigation),
    the sections that do not apply in a notebook left out."""
    if readme.is_file():
        text = readme.read_text(encoding="utf-8").strip()
    else:
        title, _, rest = stub_docstring.strip().partition("\n")
        text = f"# {title.strip()}\n{rest}".strip()
    sections, current = [], []
    for line in text.splitlines():
        if line.startswith("## ") and current:
            sections.append("\n".join(current).strip())
            current = []
        current.append(line)
    sections.append("\n".join(current).strip())
    return [RELATIVE_LINK.sub(r"\g<text>", section) for section in sections
            if section and NOT_IN_NOTEBOOK not in section]


def check_source(op) -> str:
    return f'check("{op.key}", {op.class_name})'


def score_source(op, points: float, rubric_path: str = "") -> str:
    rubric = f", rubric={rubric_path!r}" if rubric_path else ""
    return (f"# The hidden grader scores {op.class_name}: this cell's value is your score "
            f"out of {points:g}.\n"
            f"{HIDDEN_BEGIN}\n"
            f"from grader.nbgrader.hidden import score\n"
            f'score("{op.key}", {op.class_name}{rubric})\n'
            f"{HIDDEN_END}")


def _meta(grade_id, grade=False, solution=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def build_notebook(solution_source: str, stub_docstring: str, readme: Path, rubric, rubric_path: str = ""):
    """The source notebook as an nbformat NotebookNode (cell ids are stable across runs).
    `rubric_path` ("" for the kit's) is where the hidden part loads the same rubric from."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    kit = read_kit(solution_source)
    answers = answer_sources(kit, rubric.contract)
    cells = [new_markdown_cell(text, id=f"handout-{index}")
             for index, text in enumerate(handout_sections(readme, stub_docstring))]
    cells += [new_markdown_cell(HOW_IT_WORKS, id="how-it-works"),
             new_code_cell(kit.prelude, id=SETUP_ID, metadata=_meta(SETUP_ID, locked=True)),
             new_code_cell(PUBLIC_CHECKS, id=PUBLIC_CHECKS_ID.replace("_", "-"),
                           metadata=_meta(PUBLIC_CHECKS_ID, locked=True))]
    for op in rubric.contract:
        points = rubric.op_max(op.key)
        worth = f" ({points:g} points)" if points else " (not graded)"
        cells.append(new_markdown_cell(f"## `{op.class_name}`{worth}", id=f"title-{op.key}"))
        cells.append(new_code_cell(answers[op.key], id=answer_id(op.key).replace("_", "-"),
                                   metadata=_meta(answer_id(op.key), solution=True)))
        cells.append(new_code_cell(check_source(op), id=check_id(op.key).replace("_", "-"),
                                   metadata=_meta(check_id(op.key), locked=True)))
        if points:
            cells.append(new_code_cell(score_source(op, points, rubric_path), id=score_id(op.key).replace("_", "-"),
                                       metadata=_meta(score_id(op.key), grade=True, locked=True,
                                                      points=points)))
    cells += capstone_cells(rubric, rubric_path, _meta)   # graph.py's cells, when the rubric grades it
    notebook = new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC),
                                                   "language_info": {"name": "python"}})
    nbformat.validate(notebook)
    return notebook
