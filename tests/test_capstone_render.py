"""The student's loss plot (render/capstone.py): drawn with fixed margins for speed, so these check
that nothing it writes falls off the figure, in either language, whatever the curve, and that the
same curve always gives the same bytes."""

import math

import numpy as np
import pytest

from grader import i18n
from grader.render import capstone, fonts

REFERENCE = list(2.48 * np.exp(np.linspace(0.0, math.log(0.038 / 2.48), 100)))
CURVES = {
    "reference": REFERENCE,
    "flat": [2.3] * 100,
    "diverging": [2.0 * 10 ** (step / 10) for step in range(60)] + [math.inf, math.nan] + [None] * 38,
    "tiny": [1e-9] * 100,
    "short": [2.48, 1.0],
}


@pytest.fixture(params=["en", "zh_CN"])
def language(request, monkeypatch):
    monkeypatch.setattr(i18n, "_selected", None)
    monkeypatch.setenv("GRADER_LANG", request.param)
    if request.param != "en":   # stands in for an installed CJK font: its labels are laid out
        monkeypatch.setattr(fonts, "cjk_font", lambda: "DejaVu Serif")
    return request.param


@pytest.mark.filterwarnings("ignore:Glyph")   # the stand-in font has no CJK glyph: boxes, laid out all the same
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
