"""The hidden part of the notebook's graded cells: ``score(op_key, cls)``.

It returns the op's score as a plain ``float``, the only value nbgrader reads as partial credit
(nbgrader/utils.py, ``get_partial_grade``, parses the cell's text/plain with ``float()``: a NumPy
scalar renders as ``np.float64(...)``, which does not parse and so gets full credit). It grades the class in the kernel against the reference,
which is right for ``nbgrader validate`` of the instructor's own notebook, the only place it
runs: the release has no hidden part, and ``nbgrader autograde`` runs no kernel for this
notebook (TrustedScores grades the submitted file instead). If autograde ever reaches it, the
course's config lacks TrustedScores; it then scores 0 and says so, rather than trust a kernel
the student's cells have run in.
"""

import os

_graders = {}  # rubric path -> GradingContext, built on first use in this kernel


def score(op_key: str, cls, rubric: str = "") -> float:
    """The op's score in [0, its points] for the class `cls`, as a plain float, by the rubric at
    path `rubric` (the kit's if empty): the one the notebook's points came from."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        from ..i18n import _

        print(_("Not scored: nbgrader_config.py must put grader.nbgrader.preprocessor.TrustedScores "
                "in Autograde.autograde_preprocessors (run `grader nbgrader init --force`)."))
        return 0.0
    from ..core.context import GradingContext
    from ..ops import registry
    from ..run.in_process import InProcessRunner
    from .text import op_text

    if rubric not in _graders:
        course = registry.select()  # $GRADER_COURSE, else the kit's ops
        _graders[rubric] = GradingContext.hidden(course, course.rubric(rubric or None))
    op = _graders[rubric].rubric.contract[op_key]
    runner = InProcessRunner("", "backprop.ipynb")
    setattr(runner.module, op.class_name, cls)  # the class the notebook defined
    try:
        result = _graders[rubric].grade_op(op, runner, shrink=False)
    finally:
        runner.close()
    print(op_text(op.class_name, result))
    return float(min(max(result.score, 0.0), result.max_score))


def score_capstone(namespace: dict, rubric: str = "") -> float:
    """The capstone's score for the notebook whose globals are `namespace` (its ops' classes and
    its ``backward``/``sgd_step``), as a plain float, by the rubric at path `rubric`; graded in
    the kernel against the reference, like `score` (``nbgrader validate`` only)."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return score("capstone", None)   # says why, scores 0
    import types

    from ..ops import registry
    from ..ops.capstone import session
    from ..ops.capstone.runner import InProcessCapstone
    from .text import capstone_text

    course = registry.select()
    rules = course.rubric(rubric or None)
    runner = InProcessCapstone("", "backprop.ipynb", "", graph_module=types.SimpleNamespace(**namespace))
    for op in rules.contract:
        if op.class_name in namespace:
            setattr(runner.module, op.class_name, namespace[op.class_name])  # the classes the notebook defined
    try:
        part = session.grade_part(runner, rules, session.Graph("(the notebook's cells)"))
    finally:
        runner.close()
    print(capstone_text(part))
    return float(min(max(part.score, 0.0), part.max_score))
