"""Grade a submitted notebook file with the hidden reference, student code in the sandbox.

This is the trusted side of the nbgrader integration and knows nothing about nbgrader: it reads
the answer cells from the file (answers.py), runs them through the runner that decides grades
(`make_runner`: the sandbox), and judges the outcomes here, against the reference loaded in this
process. The reference and the example bank are built once per process and reused for every
notebook of an ``nbgrader autograde`` batch. A notebook with the capstone's cells is also graded
on the graph.py they make (capstone_cells.graph_source), in the same runner and by the same
code as a graph.py beside ops.py in ``grader batch`` (grader/ops/capstone/session.py).
"""

from dataclasses import dataclass

from ..ops.capstone import KEY
from ..render.escape import terminal
from ..run.answers import read_answers
from ..run.cells import SETUP_ID, answer_id
from .capstone_cells import graph_source
from .text import capstone_text, op_text

_graders = {}  # rubric path ("" = the kit's) -> GradingContext


def _grader(rubric_path: str):
    if rubric_path not in _graders:
        from ..core.context import GradingContext
        from ..ops import registry

        course = registry.select()  # $GRADER_COURSE, else the kit's ops
        _graders[rubric_path] = GradingContext.hidden(course, course.rubric(rubric_path or None))
    return _graders[rubric_path]


def grade_notebook(path, rubric_path: str = "", shrink: bool = True, capstone: bool = False):
    """(Report, texts): the grade of the notebook at `path`, and op key -> the feedback text
    its graded cell shows (escaped for a notebook's stream output: `escape.terminal`). With
    `capstone`, the notebook's graph cells are graded too, in the same sandboxed runner, as
    ``grader batch`` grades a graph.py beside ops.py: the part is then ``texts["capstone"]``
    and `Graded.capstone` (use `grade_parts` for it)."""
    graded = grade_parts(path, rubric_path, shrink, capstone)
    return graded.report, graded.texts


@dataclass
class Graded:
    """One notebook's grade: the ops' Report, each graded cell's text, the capstone's score (or None)."""

    report: object
    texts: dict
    capstone: object = None


def grade_parts(path, rubric_path: str = "", shrink: bool = True, capstone: bool = False) -> Graded:
    """The notebook at `path` graded (see `grade_notebook`)."""
    from ..ops.capstone import session
    from ..run.factory import make_runner

    context = _grader(rubric_path)
    submission = read_answers(path)
    graph = session.Graph(capstone_graph(path)) if capstone else None
    runner = session.start_runner(submission, graph) if graph else make_runner(submission)
    try:
        report = context.grade(str(path), runner, shrink=shrink)
        part = session.grade_part(runner, context.rubric, graph) if graph else None
    finally:
        runner.close()
    texts = {}
    for key, op_score in report.ops.items():
        text = op_text(context.rubric.contract[key].class_name, op_score)
        if op_score.score < op_score.max_score:
            text += terminal("".join(f"\n  {line}" for line in _cell_errors(key, report.student_output)))
        texts[key] = text
    if part is not None:
        texts[KEY] = capstone_text(part)
    return Graded(report, texts, part)


def capstone_graph(path) -> str:
    """The graph.py the notebook at `path` is graded as (capstone_cells.graph_source)."""
    from pathlib import Path

    from ..run.submission import parse_notebook

    return graph_source(parse_notebook(Path(path).read_bytes(), Path(path).name))


def _cell_errors(op_key: str, student_output: str) -> list:
    """Why the op's cells may not have defined its class: the setup or answer cell did not
    compile or raised at its top level (the cell wrapper printed it, see answers.py)."""
    raised = tuple(f"cell {cell} raised " for cell in (SETUP_ID, answer_id(op_key)))
    return [line for line in student_output.splitlines() if line.startswith(raised)]
