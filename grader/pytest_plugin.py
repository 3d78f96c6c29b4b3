"""The pytest plugin behind the students' public tests (registered by entry point).

A public test file stays two lines::

    from grader.pytest_plugin import property_tests
    test_backprop = property_tests()

which makes one test per property of the rubric, for each op (ids like ``<op>-<property>``), so
``pytest -k <op>`` and ``pytest --op <op>`` focus one op. The capstone's file is the same with
``capstone_tests()``: one test per capstone property (``capstone-<property>``, ``--op capstone``),
graded once per session from the ``graph.py`` beside ``ops.py``. Each test runs that property's
examples (the same seeds, shapes and ranges as the hidden grader) against the student's
``ops.py``, in-process, with the `Numeric` oracle: central differences of the *given* forward,
so no reference solution is needed or shipped. A failure prints the feedback the hidden grader
would give, without a traceback. Its first line, which pytest's short summary shows, is the
one-line reason; as test ids and that prefix leave it a few columns at 80, a last section,
"backprop: what failed", lists every failed property with its reason, wrapped to the terminal.
"""

from pathlib import Path

import pytest

from . import i18n
from .i18n import _

REASON = "backprop_reason"  # a failed test's user property: its one-line reason


def pytest_configure(config):
    """GRADER_LANG chooses the language of the messages, as for the command line; a bad value is
    one line at start."""
    try:
        i18n.check()
    except i18n.LanguageError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_addoption(parser):
    group = parser.getgroup("backprop", _("backprop homework public tests"))
    group.addoption("--op", action="append", default=[], metavar="OP",
                    help=_("only test this op (its key, as the report names it); repeatable"))
    group.addoption("--submission", metavar="PATH", default=None,
                    help=_("the ops.py to test (default: backprop/ops.py, else ops.py, under the rootdir)"))


def property_tests():
    """The public test function, parametrized over every graded property."""
    from .ops import registry

    rubric = registry.select().rubric()
    ids = [prop.id for op_key in rubric.points for prop, _ in rubric.graded(op_key)]

    @pytest.mark.parametrize("property_id", ids, ids=[i.replace(".", "-") for i in ids])
    def test_property(property_id, backprop_checker, record_property):
        failure = backprop_checker(property_id)
        if failure:
            reason, message = failure
            record_property(REASON, f"{property_id}: {reason}")
            pytest.fail(message, pytrace=False)

    return test_property


def pytest_collection_modifyitems(config, items):
    wanted = set(config.getoption("--op"))
    if not wanted:
        return
    from .ops import registry

    course = registry.select()
    keys = course.contract.keys + tuple(course.parts or ())
    unknown = wanted - set(keys)
    if unknown:
        raise pytest.UsageError((_("--op {join}: unknown op; choose from {join2}")
                                 .format(join=', '.join(sorted(unknown)), join2=', '.join(keys))))
    keep, drop = [], []
    for item in items:
        property_id = getattr(item, "callspec", None) and item.callspec.params.get("property_id")
        (drop if property_id and property_id.split(".")[0] not in wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _submission_path(config) -> Path:
    chosen = config.getoption("--submission")
    if chosen:
        return Path(chosen)
    root = Path(config.rootpath)
    for candidate in (root / "backprop" / "ops.py", root / "ops.py"):
        if candidate.exists():
            return candidate
    return root / "backprop" / "ops.py"


class PublicChecker:
    """Runs one property at a time against the student's file; built once per session."""

    def __init__(self, submission_path: Path):
        from .core.context import GradingContext
        from .ops import registry
        from .run.factory import make_runner
        from .run.submission import read_submission

        course = registry.select()  # $GRADER_COURSE, else the kit's ops
        self.submission = read_submission(submission_path)
        self.context = GradingContext.public(course, course.rubric())
        # The student's own machine: their code runs in this process, like any unit test.
        self.runner = make_runner(self.submission, in_process=True)

    def __call__(self, property_id: str):
        """None if the property passes, else (its one-line reason, the failure message): the
        reason first, then which property failed and the rest of its feedback."""
        from .render.escape import terminal

        contract = self.context.rubric.contract
        prop = contract.property_by_id[property_id]
        result = self.context.check_property(prop, contract[prop.op], self.runner)
        if result.passed:
            return None
        reason, _newline, details = (result.feedback or result.reason).partition("\n")
        message = f"{reason}\n" + _("{property} failed: {doc}").format(property=prop.id, doc=_(prop.doc)) + \
            (f"\n{details}" if details else "")
        return terminal(reason), terminal(message)


def capstone_tests():
    """The capstone's public test function, parametrized over its graded properties.

    The student's ``graph.py`` beside ``ops.py`` is graded once per session (`capstone_score`),
    in-process, with the public oracle: the graph properties need none (their answers are exact
    products of the grader's own matrices), and the network's gradients are checked against
    central differences of the given forward, so no reference ships. Same verdicts as the
    hidden grader (tests/test_capstone.py checks that on the corpus)."""
    from .ops import registry
    from .ops.capstone import KEY

    points = registry.select().rubric().parts.get(KEY, {})
    ids = [f"{KEY}.{name}" for name in points]

    @pytest.mark.parametrize("property_id", ids, ids=[i.replace(".", "-") for i in ids])
    def test_capstone(property_id, capstone_score, record_property):
        from .render.escape import terminal

        if capstone_score.error:
            pytest.fail(terminal(capstone_score.error), pytrace=False)
        check = next(c for c in capstone_score.checks if c.name == property_id.partition(".")[2])
        if not check.passed:
            reason, _, details = (check.feedback or check.reason).partition("\n")
            record_property(REASON, f"{property_id}: {reason}")
            message = f"{reason}\n{property_id} failed: {check.doc}" + (f"\n{details}" if details else "")
            pytest.fail(terminal(message), pytrace=False)

    return test_capstone


@pytest.fixture(scope="session")
def capstone_score(request):
    from .ops import registry
    from .ops.capstone.session import grade_submission
    from .render.escape import terminal
    from .run.submission import SubmissionError

    try:
        return grade_submission(_submission_path(request.config), registry.select().rubric(), public=True,
                                in_process=True)
    except SubmissionError as error:
        message = terminal(f"{error} (pass --submission PATH)")
    pytest.fail(message, pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Every failed property with its reason, wrapped with a hanging indent: readable where the
    short summary's lines are cut at the terminal's width."""
    reasons = [value for report in terminalreporter.stats.get("failed", [])
               for name, value in getattr(report, "user_properties", ()) if name == REASON]
    if not reasons:
        return
    from .render.wrap import wrap

    width = max(config.get_terminal_writer().fullwidth, 40)
    terminalreporter.section(_("backprop: what failed"), sep="-")
    for reason in reasons:
        for line in wrap(reason, width, subsequent_indent="    "):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def backprop_checker(request):
    from .render.escape import terminal
    from .run.submission import SubmissionError

    try:
        return PublicChecker(_submission_path(request.config))
    except SubmissionError as error:
        message = terminal(_("{error} (pass --submission PATH)").format(error=error))
    pytest.fail(message, pytrace=False)  # outside the except: pytest would print the raw error too
