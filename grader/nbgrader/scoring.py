"""Grade a submitted notebook file with the hidden reference, student code in the sandbox.

This is the trusted side of the nbgrader integration and knows nothing about nbgrader: it reads
the answer cells from the file (answers.py), runs them through the runner that decides grades
(`make_runner`: the sandbox), and judges the outcomes here, against the reference loaded in this
process. The reference and the example bank are built once per process and reused for every
notebook of an ``nbgrader autograde`` batch.
"""

from ..render.escape import terminal
from ..run.answers import read_answers
from ..run.cells import SETUP_ID, answer_id
from .text import op_text

_graders = {}  # rubric path ("" = the kit's) -> (rubric, oracle, bank)


def _grader(rubric_path: str):
    if rubric_path not in _graders:
        from ..core.bank import Bank
        from ..core.oracles import Reference
        from ..ops import registry

        course = registry.select()  # $GRADER_COURSE, else the kit's ops
        rubric = course.rubric(rubric_path or None)
        oracle = Reference(course.reference())
        _graders[rubric_path] = (rubric, oracle, Bank(oracle, rubric))
    return _graders[rubric_path]


def grade_notebook(path, rubric_path: str = "", shrink: bool = True):
    """(Report, texts): the grade of the notebook at `path`, and op key -> the feedback text
    its graded cell shows (escaped for a notebook's stream output: `escape.terminal`)."""
    from ..core.grade import grade
    from ..run.factory import make_runner

    rubric, oracle, bank = _grader(rubric_path)
    submission = read_answers(path)
    runner = make_runner(submission)
    try:
        report = grade(str(path), runner, oracle, rubric, bank, shrink=shrink)
    finally:
        runner.close()
    texts = {}
    for key, op_score in report.ops.items():
        text = op_text(rubric.contract[key].class_name, op_score)
        if op_score.score < op_score.max_score:
            text += terminal("".join(f"\n  {line}" for line in _cell_errors(key, report.student_output)))
        texts[key] = text
    return report, texts


def _cell_errors(op_key: str, student_output: str) -> list:
    """Why the op's cells may not have defined its class: the setup or answer cell did not
    compile or raised at its top level (the cell wrapper printed it, see answers.py)."""
    raised = tuple(f"cell {cell} raised " for cell in (SETUP_ID, answer_id(op_key)))
    return [line for line in student_output.splitlines() if line.startswith(raised)]
