"""The hidden part of the notebook's graded cells: ``score(op_key, cls)``.

It returns the op's score as a plain ``float``, the only value nbgrader reads as partial credit
(research/nbgrader.md §3: a NumPy scalar renders as ``np.float64(...)``, which nbgrader cannot
parse and turns into full credit). It grades the class in the kernel against the reference,
which is right for ``nbgrader validate`` of the instructor's own notebook, the only place it
runs: the release has no hidden part, and ``nbgrader autograde`` runs no kernel for this
notebook (TrustedScores grades the submitted file instead). If autograde ever reaches it, the
course's config lacks TrustedScores; it then scores 0 and says so, rather than trust a kernel
the student's cells have run in.
"""

import os

_graders = {}  # rubric path -> (oracle, rubric, bank), built on first use in this kernel


def score(op_key: str, cls, rubric: str = "") -> float:
    """The op's score in [0, its points] for the class `cls`, as a plain float, by the rubric at
    path `rubric` (the kit's if empty): the one the notebook's points came from."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        print("Not scored: nbgrader_config.py must put grader.nbgrader.preprocessor.TrustedScores "
              "in Autograde.autograde_preprocessors (run `grader nbgrader init --force`).")
        return 0.0
    from ..core.bank import Bank
    from ..core.grade import grade_op
    from ..core.oracles import Reference
    from ..ops import registry
    from ..run.in_process import InProcessRunner
    from .text import op_text

    if rubric not in _graders:
        course = registry.select()  # $GRADER_COURSE, else the kit's ops
        loaded = course.rubric(rubric or None)
        oracle = Reference(course.reference())
        _graders[rubric] = (oracle, loaded, Bank(oracle, loaded))
    oracle, loaded, bank = _graders[rubric]
    op = loaded.contract[op_key]
    runner = InProcessRunner("", "backprop.ipynb")
    setattr(runner.module, op.class_name, cls)  # the class the notebook defined
    try:
        result = grade_op(op, runner, oracle, loaded, bank, shrink=False)
    finally:
        runner.close()
    print(op_text(op.class_name, result))
    return float(min(max(result.score, 0.0), result.max_score))
