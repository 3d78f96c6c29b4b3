"""What happened to a submission in a batch, in a word: the gradebook's ``status`` column.

A zero can mean very different things to an instructor, so a batch records why:

- ``graded``: the code loaded and at least one check ran it (whatever the score);
- ``not implemented``: it loaded, but every check found the stubs' ``NotImplementedError``;
- ``load error``: nothing could run: the file does not compile, importing it raised or exited,
  it is not UTF-8 or not a readable notebook, or it defines none of the op classes;
- ``timeout``: grading it took longer than ``--timeout`` and was stopped;
- ``crashed``: the grading process died, or the grader failed, while grading it (with
  ``--in-process`` a submission can kill it; in the sandbox that is a grader bug to report);
- ``missing``: no submission file was found (a folder without ops.py or a single notebook).

The status is stored in each report.json (key ``"status"``) by the batch, so ``--resume`` and
``grader merge`` carry it without re-deriving it from sentences.
"""

GRADED, NOT_IMPLEMENTED, LOAD_ERROR = "graded", "not implemented", "load error"
TIMEOUT, CRASHED, MISSING = "timeout", "crashed", "missing"
STATUSES = (GRADED, NOT_IMPLEMENTED, LOAD_ERROR, TIMEOUT, CRASHED, MISSING)


def graded_status(report: dict, runner, ops) -> str:
    """The status of a submission that went through `grade()`: from its report and its runner.

    `ops` are the graded ops (OpSpec); a runner that finds none of their classes did not load.
    """
    if runner.load_error or all(runner.missing(op) for op in ops):
        return LOAD_ERROR
    checks = [check for op in report["ops"].values() for check in op["checks"]]
    if checks and all(check.get("kind") == "not_implemented" for check in checks):
        return NOT_IMPLEMENTED
    return GRADED
