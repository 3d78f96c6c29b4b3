"""The message catalogue: every message of the source is translated, placeholders intact, and the
language is chosen with --lang or GRADER_LANG (grader/i18n.py).

The messages are extracted from the source the way `pybabel extract` does, with the kit's own
babel.cfg (Python sources and jinja2 templates), so a message added without its translation, a
translation that drops or renames a placeholder, and a stale translation all fail here.
"""

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import ROOT, with_snippet
from grader import i18n
from grader.cli.app import main

KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}  # as babel.cfg's command: -k N_
CATALOGUE = ROOT / "grader" / "locale" / "zh_CN" / "LC_MESSAGES" / "grader.po"
HANDOUT = ROOT / "assignments" / "backprop" / "README.zh-CN.md"


@pytest.fixture(scope="module")
def source_messages() -> dict:
    """msgid (a tuple for a plural) -> where the source says it first."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalogue():
    with open(CATALOGUE, "rb") as source:
        return read_po(source, locale="zh_CN")


def placeholders(text: str) -> list:
    """The {fields} of a format string, each with its conversion and format spec."""
    return sorted((name, conversion or "", spec or "") for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None)


def test_the_extraction_finds_the_messages_of_every_medium(source_messages):
    """A sanity check of the extraction itself: Python messages, N_ tables, plurals and templates."""
    wheres = set(source_messages.values())
    assert any(".j2:" in where for where in wheres), "no template message extracted"
    assert "inputs of the same shape" in source_messages  # an N_ table entry of an op module
    assert any(isinstance(message, tuple) for message in source_messages)  # ngettext
    assert len(source_messages) > 250


def test_every_message_of_the_source_has_its_chinese_translation(source_messages, catalogue):
    missing = []
    for message, where in source_messages.items():
        entry = catalogue.get(message)
        strings = entry.string if entry is not None and isinstance(entry.string, tuple) else \
            (entry.string,) if entry is not None else ()
        if entry is None or entry.fuzzy or not strings or not all(strings):
            missing.append(f"{where}: {message!r}")
    assert not missing, f"{len(missing)} messages untranslated in {CATALOGUE.name}:\n" + "\n".join(missing)


def test_every_translation_keeps_the_placeholders_of_its_message(catalogue):
    """The same fields, conversions and format specs: the values are filled after translation."""
    wrong = []
    for entry in catalogue:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = placeholders(ids[-1])
        assert all(placeholders(i) == expected for i in ids), f"singular and plural differ: {ids}"
        wrong += [f"{entry.id!r}: {text!r}" for text in strings if placeholders(text) != expected]
    assert not wrong, "\n".join(wrong)


def test_the_catalogue_holds_no_message_the_source_no_longer_says(source_messages, catalogue):
    stale = [entry.id for entry in catalogue if entry.id and entry.id not in source_messages]
    assert not stale, f"stale translations (run pybabel update, see babel.cfg): {stale}"


def test_no_message_is_translated_twice():
    """Babel keeps the last of two entries with one msgid, silently: blocks appended to the catalogue
    by separate changes must not repeat a message (the earlier translation would be lost unseen)."""
    text = CATALOGUE.read_text(encoding="utf-8")
    keys = re.findall(r'^(?:msgctxt .*\n)?msgid ((?:".*"\n)+)msgstr', text, re.M)
    repeated = sorted({key for key in keys if keys.count(key) > 1 and key != '""\n'})
    assert len(keys) > 100
    assert not repeated, f"messages with two entries in {CATALOGUE.name}: {repeated}"


def _own_scope(function):
    """The nodes of a function's own scope: nested functions, lambdas and comprehensions excluded."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
              ast.GeneratorExp)
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, scopes):
            todo.extend(ast.iter_child_nodes(node))


def test_no_scope_that_translates_also_binds_underscore():
    """`_` is the translation function: a scope that also assigns `_` (``a, _ = ...``) would call
    what it assigned, or fail with UnboundLocalError, on the path that translates."""
    found = []
    for path in sorted((ROOT / "grader").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for scope in ast.walk(tree):
            if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ListComp,
                                      ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            nodes = list(_own_scope(scope))
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in nodes)
            binds = [n.lineno for n in nodes if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
            if calls and binds:
                found.append(f"{path.relative_to(ROOT)}:{binds[0]}")
    assert not found, found


@pytest.mark.parametrize("name, language", [("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"), ("zh_cn.UTF-8", "zh_CN"),
                                            ("", "en"), ("en", "en")])
def test_language_names(name, language):
    assert i18n.normalise(name) == language


@pytest.fixture
def fresh_language(monkeypatch):
    """No language selected in this process, and GRADER_LANG restored afterwards, also when
    i18n.select() set it (setenv first: monkeypatch then undoes to the value before the test)."""
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.setenv("GRADER_LANG", "")
    monkeypatch.delenv("GRADER_LANG")
    return monkeypatch



@pytest.mark.parametrize("argv", [["--lang", "zh_CN", "properties"], ["properties", "--lang=zh-CN"]])
def test_lang_before_or_after_the_command_selects_chinese(argv, fresh_language, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "形状相同的输入" in out and "inputs of the same shape" not in out  # mul.same_shape's doc
    assert i18n.language() == "zh_CN"


def test_grader_lang_selects_chinese_and_english_is_the_default(fresh_language, capsys):
    assert main(["properties"]) == 0
    assert "inputs of the same shape" in capsys.readouterr().out
    fresh_language.setenv("GRADER_LANG", "zh_CN")
    assert main(["properties"]) == 0
    assert "形状相同的输入" in capsys.readouterr().out


@pytest.mark.parametrize("how", ["option", "environment"])
def test_an_unknown_language_is_one_line_and_exit_2(how, fresh_language, capsys):
    if how == "environment":
        fresh_language.setenv("GRADER_LANG", "klingon")
    argv = ["--lang", "klingon", "properties"] if how == "option" else ["properties"]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "unknown language 'klingon'" in captured.err


def test_a_catalogue_that_cannot_be_read_is_one_line_at_start(fresh_language, capsys, tmp_path):
    fresh_language.setattr(i18n, "LOCALES", tmp_path)  # an install without the .po files
    i18n.translations.cache_clear()
    try:
        assert main(["--lang", "zh_CN", "properties"]) == 2
    finally:
        i18n.translations.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "zh_CN messages cannot be read" in err


def test_the_public_tests_follow_grader_lang_and_print_the_handouts_example(fresh_language, tmp_path):
    """The pytest plugin's failure message in Chinese is the one the Chinese handout shows (§4.1)."""
    from grader.pytest_plugin import PublicChecker

    fresh_language.setenv("GRADER_LANG", "zh_CN")
    submission = tmp_path / "ops.py"
    submission.write_text(with_snippet(ROOT / "tests" / "corpus" / "wrong" / "embedding__fancy_index_add.py"),
                          encoding="utf-8")
    _reason, message = PublicChecker(submission)("embedding.repeated_indices")
    assert message.startswith("grad_weight 有误：")
    assert "可能的错误：索引 0 在 indices 中出现了 2 次" in message
    assert f"```text\n{message}\n```" in HANDOUT.read_text(encoding="utf-8")


def test_release_ships_the_chinese_handout_and_the_catalogue(tmp_path):
    from grader.instructor.release import build_release

    out = build_release(tmp_path / "release")
    handout = (out / "README.zh-CN.md").read_text(encoding="utf-8")
    assert handout.startswith("# 反向传播作业")
    assert "[`ops.py`](backprop/ops.py)" in handout and "[README.md](README.md)" in handout  # links re-pointed
    assert (out / "grader" / "i18n.py").is_file()
    assert (out / "grader" / "locale" / "zh_CN" / "LC_MESSAGES" / "grader.po").read_bytes() == CATALOGUE.read_bytes()
    assert "Babel==" in (out / "requirements.txt").read_text()


def test_a_test_that_selects_a_language_leaves_none_behind():
    """The tests above ran `grader --lang zh_CN`: later tests (and the processes they start) are English."""
    import os

    assert os.environ.get("GRADER_LANG", "") in ("", "en") and i18n.language() == "en"
