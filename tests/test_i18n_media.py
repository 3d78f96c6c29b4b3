"""Chinese in every medium: the same numbers and shapes as in English, and each medium shows CJK
text as it shows English: the terminal table and wrapped feedback fit the console's cells,
Markdown and HTML escape the student's text exactly as before, Gradescope's JSON is valid
against its schema, and nbgrader's stream output is a valid notebook.
"""

import html.parser
import io
import json
import re
from collections import Counter
from contextlib import contextmanager

import pytest
from rich.cells import cell_len
from rich.console import Console

from conftest import CORPUS, ROOT, with_snippet
from grader import i18n

# One wrong file per op (each with a diagnosis), and one whose mistake has facts only.
WRONG = ["mul__swapped_operands", "add__no_unbroadcast", "max__relu_mask", "max__ties_doubled",
         "sigmoid__naive_exp_overflow", "sigmoid__not_a_tuple", "matmul__no_transpose_grad_a",
         "softmax_ce__missing_mean", "embedding__fancy_index_add", "embedding__stateful_buffer"]
HOSTILE_ID = "<script>alert(1)</script> *bold* [x](http://e.vil) \x1b[31mred"
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
SHAPE = re.compile(r"\((?:\d+(?:, ?\d+)*,?)?\)")


@contextmanager
def language(name: str):
    before = i18n._selected
    i18n._selected = name
    try:
        yield
    finally:
        i18n._selected = before


def wrong_source(stem: str) -> str:
    path = CORPUS / "wrong" / f"{stem}.py"
    if not path.exists():
        pytest.skip(f"no corpus file {path.name}")
    return with_snippet(path)


@pytest.fixture(scope="module")
def reports(grade_source):
    """{stem: {language: Report}}: each wrong file graded in both languages."""
    found = {}
    for stem in WRONG:
        source = wrong_source(stem)
        found[stem] = {}
        for name in ("en", "zh_CN"):
            with language(name):
                found[stem][name] = grade_source(source, shrink=True)
    return found


def texts(report):
    return [(key, check.name, check.feedback + "\n" + check.diagnosis)
            for key, op in report.ops.items() for check in op.checks if not check.passed]


@pytest.mark.parametrize("stem", WRONG)
def test_numbers_and_shapes_are_the_same_in_both_languages(reports, stem):
    english, chinese = reports[stem]["en"], reports[stem]["zh_CN"]
    assert english.to_json()["score"] == chinese.to_json()["score"]
    failed = texts(english)
    assert failed, f"{stem} fails nothing"
    for (key, name, en_text), (_key, _name, zh_text) in zip(failed, texts(chinese), strict=True):
        assert re.search("[\u4e00-\u9fff]", zh_text), f"{key}.{name} is not in Chinese: {zh_text}"
        for pattern in (NUMBER, SHAPE):
            assert Counter(pattern.findall(en_text)) == Counter(pattern.findall(zh_text)), \
                f"{key}.{name}: {pattern.pattern} differ\n{en_text}\n---\n{zh_text}"


def _terminal(report, width: int) -> list:
    from grader.render.terminal import render_feedback, render_table

    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    render_table(report, console)
    render_feedback(report, console)
    return console.file.getvalue().splitlines()


@pytest.mark.parametrize("width", [60, 80])
def test_the_terminal_report_fits_a_narrow_console_in_chinese(reports, width):
    """The table's rows all have the width of its borders, and every wrapped feedback line fits."""
    with language("zh_CN"):
        lines = _terminal(reports["embedding__fancy_index_add"]["zh_CN"], width)
    table = [line for line in lines if line[:1] in "┏┃┡│└"]
    assert table and "算子" in table[1]
    assert len({cell_len(line) for line in table}) == 1, "\n".join(table)
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, "\n".join(too_wide)
    assert any("可能的错误" in line for line in lines)


def _escaped_id_forms(text: str) -> bool:
    return "<script>" not in text and "\x1b" not in text


def test_markdown_escapes_the_students_text_as_in_english(reports):
    from markdown_it import MarkdownIt

    from grader.render.escape import markdown_inline
    from grader.render.markdown import feedback_markdown

    pages = {}
    for name in ("en", "zh_CN"):
        with language(name):
            pages[name] = feedback_markdown(HOSTILE_ID, reports["matmul__no_transpose_grad_a"][name].to_json())
    assert pages["zh_CN"].startswith(f"# {markdown_inline(HOSTILE_ID)} 的反馈\n")
    assert pages["en"].startswith(f"# Feedback for {markdown_inline(HOSTILE_ID)}\n")
    for page in pages.values():
        assert _escaped_id_forms(page)
        rendered = MarkdownIt("commonmark").enable("table").render(page)
        assert "<script>" not in rendered and "<a href" not in rendered
    assert "## 未通过的检查" in pages["zh_CN"] and "| 算子 | 分数 | 通过 | 未通过 |" in pages["zh_CN"]


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.data = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


def test_html_declares_utf8_and_chinese_and_escapes_as_in_english(reports):
    from grader.render.escape import html_text
    from grader.render.html import feedback_html

    pages = {}
    for name in ("en", "zh_CN"):
        with language(name):
            pages[name] = feedback_html(HOSTILE_ID, reports["embedding__fancy_index_add"][name].to_json())
    page = pages["zh_CN"]
    parsed = _Tags()
    parsed.feed(page)
    tags = dict(parsed.tags)
    assert tags["html"]["lang"] == "zh-CN" and tags["meta"]["charset"] == "utf-8"
    assert "script" not in tags and "a" in tags  # the id made no tag; the summary link is there
    assert f"<title>{html_text(HOSTILE_ID)} 的反馈</title>" in page
    assert f"<title>Feedback for {html_text(HOSTILE_ID)}</title>" in pages["en"]
    assert "可能的错误：" in page and "未通过的检查" in page


def test_gradescope_results_in_chinese_are_valid_json_against_the_schema(tmp_path, reference, rubric, bank):
    from test_platforms import validate_gradescope

    from grader.platforms import Grading, gradescope

    root = tmp_path / "root"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "ops.py").write_text(wrong_source("matmul__no_transpose_grad_a"), encoding="utf-8")
    with language("zh_CN"):
        gradescope.run(root, Grading(reference, rubric, bank))
    raw = (root / "results" / "results.json").read_bytes()
    data = validate_gradescope(json.loads(raw.decode("utf-8")))
    matmul = [test for test in data["tests"] if test["name"].startswith("matmul")]
    assert any("可能的错误：" in test.get("output", "") for test in matmul)
    assert data["score"] < sum(test["max_score"] for test in data["tests"])


def test_nbgrader_feedback_in_chinese_is_a_valid_notebook_stream(reports):
    nbformat = pytest.importorskip("nbformat")
    from grader.nbgrader.text import op_text

    with language("zh_CN"):
        report = reports["sigmoid__naive_exp_overflow"]["zh_CN"]
        text = op_text("Sigmoid", report.ops["sigmoid"])
    assert text.startswith("Sigmoid：") and "分" in text.splitlines()[0]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=text + "\n")])])
    nbformat.validate(notebook)
    again = nbformat.reads(nbformat.writes(notebook), as_version=4)
    assert again.cells[0].outputs[0].text == text + "\n"
