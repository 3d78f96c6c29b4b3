"""What an instructor reads goes through the catalogue too: the batch, integrity, strength, export,
roster, shard, release, nbgrader and platform commands, and the summary's charts (grader/i18n.py).

A cheap AST check finds a literal with words in it that reaches the reader unwrapped: the text
given to print / console.print, an exception's message, an argparse help= or description=, or a
chart's title, axis label, legend label or text. Wrapped means ``_()``, ``ngettext()``, ``N_()``
or the charts' ``label()`` (then ``.format``); a value computed elsewhere is not a literal and
is that code's concern. The charts speak Chinese only where matplotlib has a CJK font: both
branches are tested with the font lookup replaced.
"""

import ast
from types import SimpleNamespace

import pytest

from conftest import ROOT
from grader import i18n
from grader.instructor import capstone_summary, charts
from grader.render import capstone as capstone_render, fonts

INSTRUCTOR_MODULES = sorted(
    [ROOT / "grader" / "instructor" / name for name in ("batch.py", "export.py", "shards.py", "release.py",
                                                        "charts.py", "capstone_summary.py")]
    + [*(ROOT / "grader" / "instructor" / "integrity").glob("*.py"),
       *(ROOT / "grader" / "instructor" / "strength").glob("*.py"),
       *(ROOT / "grader" / "instructor" / "lms").glob("*.py")]
    + [ROOT / "grader" / "nbgrader" / "command.py", ROOT / "grader" / "cli" / "commands.py",
       ROOT / "grader" / "platforms" / "command.py"]
    # the start-up refusals and the student-facing capstone texts outside instructor/
    + [ROOT / "grader" / path for path in (
        "core/rubric.py", "core/context.py", "platforms/gradescope.py", "sandbox/users.py", "nbgrader/hidden.py",
        "nbgrader/preprocessor.py", "render/capstone.py", "ops/capstone/session.py", "ops/registry.py",
        "instructor/release_bank.py")])

# (module, words of the literal): texts no instructor reads as a message, with why.
EXEMPT = {
    # a kit bug caught while building the release (a handout link to a file the release leaves
    # out), raised as ValueError for the kit's own tests, never shown to a user as a message
    ("release.py", "which the student repository does not have"),
    # a programming error of the kit's own callers (a GradingContext built without a Rubric)
    ("context.py", "GradingContext.build needs a Rubric"),
    # traitlets' configuration help, read by `nbgrader --help-all` when the class is defined
    ("preprocessor.py", "The rubric file the notebook's points come from"),
    ("preprocessor.py", "Shrink each failed check to a minimal example"),
}

WRAPPERS = {"_", "ngettext", "N_", "label"}
MESSAGE_CALLS = {"print", "suptitle", "set_title", "set_xlabel", "set_ylabel"}   # first argument
MESSAGE_KEYWORDS = {"help", "description", "title", "xlabel", "ylabel", "label"}


def _callee(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) \
        else ""


def _has_words(text: str) -> bool:
    return sum(character.isalpha() for character in text) >= 2


def _unwrapped(node) -> list:
    """The literal texts with words in `node` that no wrapper call translates."""
    if isinstance(node, ast.Call):
        inner = node.func.value if isinstance(node.func, ast.Attribute) and node.func.attr == "format" else node
        if isinstance(inner, ast.Call) and _callee(inner) in WRAPPERS:
            return []
        return []  # any other call computes its text: not a literal here
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if _has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        words = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return [words] if _has_words(words) else []
    if isinstance(node, ast.BinOp):
        return _unwrapped(node.left) + _unwrapped(node.right)
    if isinstance(node, ast.IfExp):
        return _unwrapped(node.body) + _unwrapped(node.orelse)
    return []


def messages(tree) -> list:
    """[(line, literal)] of every message literal of a module, wrapped or not, that reaches a reader."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        shown = []
        if node.args and (name in MESSAGE_CALLS or name.endswith("Error")):
            shown.append(node.args[0])
        if name == "text" and len(node.args) >= 3:   # axes.text(x, y, text)
            shown.append(node.args[2])
        shown += [keyword.value for keyword in node.keywords if keyword.arg in MESSAGE_KEYWORDS]
        found += [(node.lineno, text) for value in shown for text in _unwrapped(value)]
    return found


def test_no_instructor_message_is_left_in_english_only():
    missing = []
    for path in INSTRUCTOR_MODULES:
        for line, text in messages(ast.parse(path.read_text(encoding="utf-8"))):
            if not any(path.name == name and words in text for name, words in EXEMPT):
                missing.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not missing, "wrap these in _() (grader/i18n.py):\n" + "\n".join(missing)


@pytest.mark.parametrize("source, count", [
    ('print(f"wrote {path}")', 1), ('raise UsageError("no such folder")', 1),
    ('parser.add_argument("--out", help="where it goes")', 1), ('axes.set(xlabel="students")', 1),
    ('print(_("wrote {path}").format(path=path))', 0), ('raise UsageError(_("no such folder"))', 0),
    ('axes.set(xlabel=label(N_("students")))', 0), ('print(f"{prop.id:32} {points:>4g}")', 0),
    ('console.print("\\n" + _("Equivalent: {ids}").format(ids=ids))', 0)])
def test_the_check_tells_a_wrapped_message_from_an_unwrapped_one(source, count):
    assert len(messages(ast.parse(source))) == count


# --------------------------------------------------------------------------- the charts' language

@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.setenv("GRADER_LANG", "zh_CN")
    return monkeypatch


def _texts(figure) -> list:
    figure.canvas.draw()
    return [text.get_text() for text in figure.findobj(lambda artist: hasattr(artist, "get_text"))
            if text.get_text()]


def test_without_a_cjk_font_the_charts_keep_their_english_labels(chinese):
    chinese.setattr(fonts, "cjk_font", lambda: None)
    figure = charts.scores_figure([1.0, 2.0, 3.0], 10.0)
    assert "Scores of 3 students" in _texts(figure)
    assert not any("学生" in text for text in _texts(charts.mistakes_figure([])))
    assert "training loss" in _texts(capstone_summary.curves_figure(
        [{"curve": [1.0, 0.5], "reference_curve": [1.0, 0.4], "threshold": 0.5}]))


def test_with_a_cjk_font_the_charts_are_in_chinese_and_drawn_with_it(chinese, recwarn):
    chinese.setattr(fonts, "cjk_font", lambda: "DejaVu Serif")   # stands in for an installed CJK font
    figure = charts.scores_figure([1.0, 2.0, 3.0], 10.0)
    title = figure.axes[0].title
    assert title.get_text() == "3 名学生的得分"
    assert "DejaVu Serif" in title.get_fontfamily()
    assert "已评分的提交中没有错误" in _texts(charts.mistakes_figure([]))
    assert "训练损失" in _texts(capstone_summary.curves_figure(
        [{"curve": [1.0, 0.5], "reference_curve": [1.0, 0.4], "threshold": 0.5}]))
    student = {"curve": [1.0, 0.5], "reference_curve": [1.0, 0.4], "threshold": 0.5}
    assert {"你的网络", "训练损失"} <= set(_texts(capstone_render.loss_figure(student)))   # the student's own plot


def test_the_students_loss_plot_keeps_english_labels_without_a_cjk_font(chinese):
    chinese.setattr(fonts, "cjk_font", lambda: None)
    student = {"curve": [1.0, 0.5], "reference_curve": [1.0, 0.4], "threshold": 0.5}
    assert {"your network", "training loss", "threshold 0.5"} <= set(_texts(capstone_render.loss_figure(student)))
    assert capstone_render.loss_png(student)[:8] == b"\x89PNG\r\n\x1a\n"


def test_english_charts_never_look_for_a_font(monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.delenv("GRADER_LANG", raising=False)
    monkeypatch.setattr(fonts, "cjk_font", lambda: pytest.fail("looked up a CJK font for English labels"))
    assert "Most frequent mistakes" in _texts(charts.mistakes_figure([("mul: swapped", 2)]))


def test_the_font_lookup_finds_a_font_that_has_chinese_glyphs_not_placeholder_boxes(monkeypatch):
    from matplotlib import font_manager

    han = {ord(character): 10 + number for number, character in enumerate(fonts.CJK_PROBE)}
    boxes = {ord(character): 7 for character in fonts.CJK_PROBE}   # one placeholder for the whole block
    charmaps = {"latin.ttf": {ord("a"): 1}, "last-resort.otf": boxes, "cjk.ttc": {ord("a"): 1, **han}}
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [
        SimpleNamespace(name="A Last Resort", fname="last-resort.otf"),
        SimpleNamespace(name="Latin Sans", fname="latin.ttf"), SimpleNamespace(name="Han Sans", fname="cjk.ttc")])
    monkeypatch.setattr(font_manager, "get_font", lambda fname: SimpleNamespace(get_charmap=lambda: charmaps[fname]))
    fonts.cjk_font.cache_clear()
    try:
        assert fonts.cjk_font() == "Han Sans"
        charmaps["cjk.ttc"] = {ord("a"): 1}
        fonts.cjk_font.cache_clear()
        assert fonts.cjk_font() is None
    finally:
        fonts.cjk_font.cache_clear()


# --------------------------------------------------------------------------- the reports' pages

def test_the_integrity_page_in_chinese_translates_the_kit_and_escapes_the_student(chinese, tmp_path):
    from grader.instructor.integrity.report import build, read_student, to_html

    (tmp_path / "ops.py").write_text("import torch\n", encoding="utf-8")
    page = to_html(build([read_student("<b>bob</b>", tmp_path / "ops.py")]))
    assert '<html lang="zh-CN">' in page and "<h1>学术诚信报告</h1>" in page
    assert "自动微分库：导入 torch" in page and "ops.py 第 1 行" in page
    assert "&lt;b&gt;bob&lt;/b&gt;" in page and "<b>bob" not in page


def _strength_data(sentence: str) -> dict:
    totals = {"mutants": 1, "equivalent": 0, "non_equivalent": 1, "caught": 0, "survived": 1, "score": 0.0,
              "diagnosed": 0, "diagnosis_coverage": None, "collateral": 0, "collateral_graded": 1}
    row = {"id": "max.comparison.1", "op": "max", "mistake": sentence, "status": "survived", "caught_by": [],
           "collateral": {}, "collateral_graded": True, "would_catch": [{"property": "max.ties", "graded": False}],
           "diff": "-a\n+b"}
    return {"rubric": {"seed": 1, "examples_per_property": 5}, "probe": {"seed": 2, "examples_per_property": 50},
            "ops": {"max": totals}, "total": totals, "mutants": [row]}


def test_the_strength_page_in_chinese_shows_a_mutation_sentence_as_text(chinese):
    """The sentence is the kit's, translated where shown, and still text: its "<=" is escaped."""
    from grader.instructor.strength.operators import OPERATORS
    from grader.instructor.strength.report import render_html

    sentence = next(operator.sentence for operator in OPERATORS if operator.id == "comparison")
    page = render_html(_strength_data(sentence))
    assert '<html lang="zh-CN">' in page and "评分细则强度" in page
    assert "使用了另一种比较（把 &gt;= 写成 &gt;、&lt;=、== 等）" in page
    assert "<=" not in page
    chinese.setenv("GRADER_LANG", "en")
    assert "uses another comparison (&gt;= as &gt;, &lt;=, ==, ...)" in render_html(_strength_data(sentence))
