"""Student text is data in every medium: hostile text through each escaper, then through every
renderer that shows a report (terminal, feedback.md, Gradescope, PrairieLearn, Coursera,
nbgrader, pytest).

The escapers are checked as properties over arbitrary text (Hypothesis): a terminal sees no
control character, a Markdown or HTML renderer (markdown-it-py, which rich ships; the standard
library's HTML parser) sees no markup and shows the text itself. The renderers are checked on
one submission whose error message, printed output, returned type name, dtype and file name are
all hostile.
"""

import html
import io
import json
import re
import unicodedata
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt
from rich.console import Console

from grader.render.escape import html_text, inert_text, markdown_block, markdown_inline, terminal
from grader.render.markdown import feedback_markdown
from grader.nbgrader.text import op_text
from grader.platforms import coursera
from grader.platforms import gradescope
from grader.platforms import prairielearn
from grader.render.terminal import render_feedback, render_table

from conftest import ROOT, SOLUTION_SOURCE
from test_platforms import validate_gradescope

HOSTILE = ("\x1b]0;owned\x07\x1b[2J\x9b31m\x9d8;;http://evil\x9c<img src=x onerror=alert(1)>"
           "<script>alert(2)</script> [a](javascript:alert(3)) ![t](http://evil/t.png) <http://evil> "
           "**b** _i_ `c` ``` ~~s~~ | \u202eevil\u202c &amp; \x7f")
HOSTILE_SUBMISSION = SOLUTION_SOURCE + f'''

HOSTILE = {HOSTILE!r}


class Mul(Mul):
    def backward(self, grad_out):
        print(HOSTILE + "\\r\\x1b[1A")
        raise ValueError(HOSTILE)


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        return type(HOSTILE, (), {{}})()


class Add(Add):
    def backward(self, grad_out):
        grad_a, grad_b = super().backward(grad_out)
        return np.zeros(grad_a.shape, dtype=[(HOSTILE, "f8")]), grad_b
'''
HOSTILE_AT_IMPORT = f"raise RuntimeError({HOSTILE!r})\n" + SOLUTION_SOURCE

# What a terminal acts on: C0 but tab and newline, DEL, C1, bidi overrides and isolates.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# What Markdown makes of text, links, images and raw HTML left out.
FORMATTING = {"p", "strong", "em", "code", "s", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
              "blockquote", "hr", "br"}


# --- the escapers, on any text -------------------------------------------------------------------

def _tags(rendered: str) -> list:
    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    parser = Tags()
    parser.feed(rendered)
    parser.close()
    return parser.tags


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text())
def test_terminal_text_has_no_control_character_and_keeps_the_rest(text):
    shown = terminal(text)
    assert not CONTROL.search(shown)
    assert terminal(shown) == shown  # escaping twice changes nothing
    printable = [c for c in text if not CONTROL.match(c) and c != "\r" and unicodedata.category(c) != "Cs"]
    assert all(c in shown for c in printable)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text(st.characters(codec="utf-8")) | st.sampled_from([HOSTILE, "<b>x</b>", "[a](b)", "`` ` ``"]))
def test_inline_markdown_renders_as_its_own_text(text):
    rendered = MARKDOWN.render("x " + markdown_inline(text) + " y")
    assert _tags(rendered) == ["p"]  # no link, image, emphasis, code span or raw HTML
    assert rendered.startswith("<p>x ") and rendered.endswith(" y</p>\n")
    shown = html.unescape(rendered[len("<p>x "):-len(" y</p>\n")])
    assert shown == " ".join(terminal(text).split())


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text(st.characters(codec="utf-8")) | st.sampled_from([HOSTILE, "````\n```", "a\n```\n<b>x</b>"]))
def test_a_fenced_block_cannot_be_closed_early(text):
    tokens = [token for token in MARKDOWN.parse(markdown_block(text) + "\n<div>after</div>\n") if token.level == 0]
    assert tokens[0].type == "fence"
    assert tokens[0].content == terminal(text).rstrip() + "\n"
    assert tokens[1].type == "html_block"  # what follows the block is outside it


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.text(st.characters(codec="utf-8")) | st.just(HOSTILE))
def test_html_and_inert_text_have_no_markup(text):
    assert _tags(html_text(text)) == []
    assert html.unescape(html_text(text)) == terminal(text)
    inert = inert_text(text)
    assert _tags(inert) == []
    # As Markdown it may show emphasis or code, but no link, image or raw HTML.
    assert set(_tags(MARKDOWN.render(inert))) <= FORMATTING
    assert inert.replace("\u200b", "") == terminal(text).replace("\u200b", "")


# --- every renderer, on a hostile submission --------------------------------------------------

@pytest.fixture(scope="module")
def hostile_report(grade_source):
    return grade_source(HOSTILE_SUBMISSION, filename=HOSTILE + ".py")


@pytest.fixture(scope="module")
def hostile_load_error(grade_source):
    return grade_source(HOSTILE_AT_IMPORT)


def test_the_submission_reaches_reports_with_its_hostile_text(hostile_report, hostile_load_error):
    """The fixture is what it claims: every channel carries the raw text (else a test is vacuous)."""
    reasons = {key: {check.reason for check in op.checks if not check.passed} for key, op in hostile_report.ops.items()}
    assert any("\x1b]0;owned" in reason for reason in reasons["mul"])      # an exception message
    assert any("\x1b]0;owned" in reason for reason in reasons["sigmoid"])  # a type name
    assert any("<img src=x" in reason for reason in reasons["add"])  # a dtype (NumPy's repr escapes controls)
    assert "\x1b]0;owned" in hostile_report.student_output and "\x1b]0;owned" in hostile_report.submission
    assert "\x1b]0;owned" in hostile_load_error.load_error


def _assert_inert_text(text: str) -> None:
    assert not CONTROL.search(text), repr(CONTROL.search(text))
    assert "\x1b" not in text and "\x9b" not in text


def _terminal_output(report, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    render_table(report, console)
    render_feedback(report, console)
    return console.file.getvalue()


@pytest.mark.parametrize("width", [80, 120])
def test_terminal(hostile_report, hostile_load_error, width):
    for report in (hostile_report, hostile_load_error):
        output = _terminal_output(report, width)
        _assert_inert_text(output)
        assert "\\x1b]0;owned\\x07" in output  # shown, visibly
        # rich markup in student text stays text
        assert "[a](javascript:alert(3))" in output


@pytest.mark.parametrize("report_name", ["hostile_report", "hostile_load_error"])
def test_feedback_markdown(report_name, request):
    report = request.getfixturevalue(report_name)
    text = feedback_markdown(HOSTILE, json.loads(json.dumps(report.to_json())))
    _assert_inert_text(text)
    rendered = MARKDOWN.render(text)
    assert set(_tags(rendered)) <= {"h1", "h2", "h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td",
                                    "pre", "code"}, set(_tags(rendered))


def test_gradescope(hostile_report, hostile_load_error):
    for report in (hostile_report, hostile_load_error):
        data = validate_gradescope(gradescope.results(report, "visible", 1.0))
        assert data["output_format"] == "text" and all(test["output_format"] == "text" for test in data["tests"])
        _assert_inert_text(data["output"])
        for test in data["tests"]:
            _assert_inert_text(test["output"])
    _assert_inert_text(gradescope.failure(f"Nothing could be graded: {HOSTILE}", 1.0)["output"])


def test_prairielearn(hostile_report, hostile_load_error):
    for report in (hostile_report, hostile_load_error):
        data = prairielearn.results(report)
        for text in [data["message"], data["output"]] + [t[field] for t in data["tests"] for field in t
                                                          if isinstance(t[field], str)]:
            _assert_inert_text(text)
    bad = prairielearn.not_gradable(HOSTILE)
    _assert_inert_text(bad["message"] + "".join(bad["format_errors"]))


def test_coursera(hostile_report, hostile_load_error):
    for report in (hostile_report, hostile_load_error):
        feedback = coursera.feedback(report)["feedback"]
        _assert_inert_text(feedback)
        assert _tags(feedback) == []
        assert "<" + "img" not in feedback and "](" not in feedback


def test_nbgrader_cell_text(hostile_report, hostile_load_error):
    for report in (hostile_report, hostile_load_error):
        for op in report.ops.values():
            _assert_inert_text(op_text(op.key, op))


def test_pytest_message(tmp_path):
    from grader.pytest_plugin import PublicChecker

    path = tmp_path / "ops.py"
    path.write_text(HOSTILE_SUBMISSION, encoding="utf-8")
    checker = PublicChecker(path)
    for property_id in ("mul.same_shape", "add.same_shape", "sigmoid.values"):
        reason, message = checker(property_id)
        _assert_inert_text(reason + message)
        assert message.startswith(reason + "\n")


def test_nbgrader_preprocessor_outputs_and_log(hostile_report, monkeypatch, caplog):
    """What autograde writes into the graded cell, and the line it logs in the instructor's terminal."""
    import logging

    import nbformat

    from grader.nbgrader import scoring
    from grader.run.cells import score_id
    from grader.nbgrader.preprocessor import TrustedScores

    texts = {key: op_text(op.key, op) for key, op in hostile_report.ops.items()}
    monkeypatch.setattr(scoring, "grade_parts", lambda *args, **kwargs: scoring.Graded(hostile_report, texts, None))
    monkeypatch.setattr(TrustedScores, "_submitted_notebook", lambda self, resources: "submitted.ipynb")
    points = hostile_report.ops["mul"].max_score
    cell = nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade": True, "grade_id": score_id("mul"),
                                                                "points": points, "solution": False}})
    preprocessor = TrustedScores()
    preprocessor.log = logging.getLogger("test_trusted_scores")
    with caplog.at_level(logging.INFO, logger="test_trusted_scores"):
        notebook, _ = preprocessor.preprocess(nbformat.v4.new_notebook(cells=[cell]),
                                              {"nbgrader": {"student": HOSTILE}})
    _assert_inert_text(notebook.cells[0].outputs[0]["text"])
    assert "\\x1b]0;owned" in notebook.cells[0].outputs[0]["text"]
    assert caplog.messages and all(not CONTROL.search(message) for message in caplog.messages)


def test_pytest_names_a_missing_submission_escaped(tmp_path):
    import subprocess
    import sys

    missing = tmp_path / "\x1b]0;owned\x07\x1b[2Jops.py"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(ROOT / "assignments" / "backprop" / "test_backprop.py"), "--op", "mul",
                             "--submission", str(missing)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "\\x1b]0;owned\\x07" in result.stdout
    _assert_inert_text(result.stdout)  # not a terminal: pytest adds no colours of its own
