"""The student's loss plot (render/capstone.py): drawn with fixed margins for speed, so these check
that nothing it writes falls off the figure, in either language, whatever the curve, and that the
same curve always gives the same bytes."""

import math

import numpy as np
import pytest

from grader import i18n
from grader.render import capstone, fonts

REFERENCE = list(2.48 * np.exp(np.linspace(0.0, math.log(0.038 / 2.48), 100)))
# The stand-in for a CJK font has no CJK glyph: boxes, laid out all the same.
pytestmark = pytest.mark.filterwarnings("ignore:Glyph")

CURVES = {
    "reference": REFERENCE,
    "flat": [2.3] * 100,
    "diverging": [2.0 * 10 ** (step / 10) for step in range(60)] + [math.inf, math.nan] + [None] * 38,
    "tiny": [1e-9] * 100,
    "short": [2.48, 1.0],
}


@pytest.fixture(autouse=True)
def no_kept_figure():
    capstone._FIGURES.clear()   # each test draws with its own language and font
    yield
    capstone._FIGURES.clear()


@pytest.fixture(params=["en", "zh_CN"])
def language(request, monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.setenv("GRADER_LANG", request.param)
    if request.param != "en":   # stands in for an installed CJK font: its labels are laid out
        monkeypatch.setattr(fonts, "cjk_font", lambda: "DejaVu Serif")
    return request.param


@pytest.mark.parametrize("curve", sorted(CURVES))
def test_every_text_of_the_loss_plot_lies_inside_it(curve, language):
    figure = capstone.loss_figure({"curve": CURVES[curve], "reference_curve": REFERENCE, "threshold": 0.1})
    with fonts.chart_fonts():
        figure.canvas.draw()
        texts = [text.get_text() for text in figure.findobj(lambda artist: hasattr(artist, "get_text"))
                 if text.get_text() and text.get_visible()]
        assert len(texts) >= 6   # two axis labels, three legend entries, tick labels
        # What is drawn (the box savefig's bbox_inches="tight" would crop to), in inches.
        drawn = figure.get_tightbbox(figure.canvas.get_renderer())
    width, height = figure.get_size_inches()
    assert drawn.x0 >= -0.005 and drawn.y0 >= -0.005 and drawn.x1 <= width + 0.005 and drawn.y1 <= height + 0.005, \
        (drawn, (width, height))


def test_the_y_axis_always_labels_at_least_two_decades():
    figure = capstone.loss_figure({"curve": REFERENCE, "reference_curve": REFERENCE, "threshold": 0.1})
    figure.canvas.draw()
    low, high = figure.axes[0].get_ylim()
    labelled = [tick for tick in figure.axes[0].get_yticks() if low <= tick <= high]
    assert len(labelled) >= 2


def test_the_same_curve_gives_the_same_png():
    data = {"curve": CURVES["diverging"], "reference_curve": REFERENCE, "threshold": 0.1}
    first = capstone.loss_png(data)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert capstone.loss_png(data) == first


def test_a_kept_figure_draws_the_bytes_of_a_new_one(language):
    # loss_png re-uses this process's figure and replaces only the student's curve: every curve,
    # in any order, after any other, gives the bytes of a figure drawn for it alone.
    order = sorted(CURVES) + sorted(CURVES, reverse=True) + ["diverging", "reference", "diverging"]
    for name in order:
        data = {"curve": CURVES[name], "reference_curve": REFERENCE, "threshold": 0.1}
        kept = capstone.loss_png(data)
        with fonts.chart_fonts():
            alone = capstone._png(capstone.loss_figure(data))
        assert kept == alone, name
    assert len(capstone._FIGURES) == 1


def test_a_figure_is_kept_per_language_reference_and_threshold(monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.delenv("GRADER_LANG", raising=False)
    for threshold in (0.1, 0.2):
        capstone.loss_png({"curve": REFERENCE, "reference_curve": REFERENCE, "threshold": threshold})
    capstone.loss_png({"curve": REFERENCE, "reference_curve": REFERENCE[:50], "threshold": 0.1})
    capstone.loss_png({"curve": [], "reference_curve": REFERENCE, "threshold": 0.3})   # no curve: none kept
    assert len(capstone._FIGURES) == 3
