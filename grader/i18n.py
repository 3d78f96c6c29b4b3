"""The one catalogue of what students and instructors read: gettext, in English or Chinese.

Every message is an English literal wrapped in `_()` (or `ngettext()` when it counts), with its
placeholders in ``{name}`` form, filled *after* translation (``_("{name} is wrong").format(name=...)``),
so a translation moves them but never changes what fills them or how a renderer escapes it.
A literal defined before the language is known (a table of an op module) is marked with `N_()`
for extraction and translated where it is shown.

The language: `select()` (the command line's ``--lang``), else ``GRADER_LANG``, else English.
English is the source text itself (no catalogue is read). Other languages are read from the
.po sources in grader/locale/ and compiled in memory with Babel on first use, so a clean clone
needs no build step and the .po stays the only copy. Extraction: ``pybabel extract -F babel.cfg
-o grader/locale/grader.pot .`` (babel.cfg at the kit's root); tests/test_i18n.py checks that
every message extracted from the source has its translation.

This module is a foundation: it imports nothing of the grader (tests/test_tiers.py).
"""

import gettext
import io
import os
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).with_name("locale")
DOMAIN = "grader"
ENGLISH = "en"
LANGUAGES = (ENGLISH, "zh_CN")  # what --lang and GRADER_LANG accept ("zh-CN" too)

_selected = None  # set by select(); None: GRADER_LANG decides


class LanguageError(ValueError):
    """An unknown language name; its message is the one line the user sees."""


@cache   # language() runs it for every message (tens of thousands per graded submission)
def normalise(name: str) -> str:
    """"zh-CN", "zh_cn", "zh_CN.UTF-8" -> "zh_CN"; "" -> English; anything else unknown: LanguageError."""
    bare = (name or "").strip().split(".")[0].replace("-", "_")
    for language in LANGUAGES:
        if bare.lower() == language.lower():
            return language
    if not bare:
        return ENGLISH
    raise LanguageError(f"unknown language {name!r}: choose one of {', '.join(LANGUAGES)}")


def select(name) -> str:
    """Use language `name` in this process and in the processes it starts (GRADER_LANG)."""
    global _selected
    _selected = normalise(name)
    os.environ["GRADER_LANG"] = _selected
    return _selected


def language() -> str:
    """The language in force: select()'s, else GRADER_LANG's, else English."""
    return _selected or normalise(os.environ.get("GRADER_LANG", ""))


def check() -> str:
    """The language in force, once its catalogue is known to load: a bad GRADER_LANG, a missing
    .po or a missing Babel is a LanguageError here, at start, never in the middle of a report."""
    language_name = language()
    try:
        translations(language_name)
    except (OSError, ImportError, ValueError) as error:
        raise LanguageError(f"the {language_name} messages cannot be read ({type(error).__name__}: {error}); "
                            "install the pinned requirements (Babel reads them) or choose --lang en") from None
    return language_name


@cache
def translations(language_name: str):
    """The gettext translations of a language, compiled from its .po source once per process."""
    if language_name == ENGLISH:
        return gettext.NullTranslations()
    from babel.messages import mofile, pofile

    with open(LOCALES / language_name / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as source:
        catalog = pofile.read_po(source, locale=language_name, domain=DOMAIN)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """`message` in the language in force (itself when it has no translation)."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the language in force."""
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a literal for extraction only: translated later, with `_`, where it is shown."""
    return message
