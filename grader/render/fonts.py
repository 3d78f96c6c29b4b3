"""Chart text in the reader's language, when matplotlib can draw it (the summary's charts, the
capstone's loss plot).

Chinese needs a font with CJK glyphs (`cjk_font`, looked up in matplotlib's font_manager), which
then draws every figure's text, after matplotlib's default for the Latin letters and digits
(`chart_fonts`). Without one, the charts keep their English labels (`label`).
"""

from contextlib import nullcontext
from functools import cache, wraps

from .. import i18n

# Characters of the Chinese labels. A CJK font has a glyph of its own for each; a last-resort font
# (matplotlib ships "Last Resort High-Efficiency") maps a whole Unicode block to one placeholder box.
CJK_PROBE = "分数"


def draws_chinese(charmap: dict) -> bool:
    """Whether a font's charmap (code point -> glyph index) draws the probe characters as distinct glyphs."""
    glyphs = [charmap.get(ord(character), 0) for character in CJK_PROBE]
    return all(glyphs) and len(set(glyphs)) == len(glyphs)


@cache
def cjk_font():
    """The family name of a font matplotlib knows that draws Chinese (the first by name), or None."""
    from matplotlib import font_manager

    for entry in sorted(font_manager.fontManager.ttflist, key=lambda entry: (entry.name, str(entry.fname))):
        try:
            if draws_chinese(font_manager.get_font(entry.fname).get_charmap()):
                return entry.name
        except (OSError, RuntimeError, ValueError):  # a font file FreeType cannot read
            continue
    return None


def translated() -> bool:
    """Whether the charts speak the language in force. English always; Chinese only with a CJK
    font: matplotlib's default font (DejaVu Sans) has no CJK glyph, so Chinese labels would be
    drawn as empty boxes. Without one the charts keep their English labels, readable, and the
    page around them is translated all the same."""
    return i18n.language() == i18n.ENGLISH or cjk_font() is not None


def label(message: str) -> str:
    """A chart's text: `message` (marked N_ for extraction) translated when the charts are
    (`translated`), else English."""
    return i18n._(message) if translated() else message


def chart_fonts():
    """A context drawing text with matplotlib's default font, falling back to the CJK font for what
    it lacks, when the charts are in Chinese (fonts are fixed as a text is made, and ticks are made
    when a figure is drawn: both figure building and saving run in it)."""
    import matplotlib

    if i18n.language() == i18n.ENGLISH or cjk_font() is None:
        return nullcontext()
    return matplotlib.rc_context({"font.family": [*matplotlib.rcParams["font.family"], cjk_font()]})


def in_chart_fonts(function):
    """`function` (one that builds a figure) run in `chart_fonts`."""
    @wraps(function)
    def built(*args, **kwargs):
        with chart_fonts():
            return function(*args, **kwargs)
    return built
