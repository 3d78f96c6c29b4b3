"""The summary's PNGs, drawn with matplotlib's Agg renderer (no display, no pyplot global state).

Each ``*_figure`` function returns a Figure (tests inspect them); `save` writes it as a PNG.
Every figure uses constrained layout and is saved with a tight bounding box, so no label is
cut off; long labels (properties, mistakes) go on horizontal bars, whose height grows with
their number. Counts get integer ticks; shares are percentages with ticks every 20%.

The labels are in the language in force when matplotlib can draw it (grader/render/fonts.py).
"""

from pathlib import Path
from textwrap import wrap

from ..i18n import N_
from ..atomic import atomic_file
from ..render.fonts import chart_fonts, in_chart_fonts, label
from .gradebook import points

BAR = "#4c72b0"
NICE_STEPS = (1, 2, 2.5, 5)
MAX_BINS = 20
LABEL_WIDTH = 40  # characters per line of a bar's label; longer ones wrap
def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save(figure, path: Path) -> None:
    with atomic_file(path) as out, chart_fonts():
        figure.savefig(out, format="png", bbox_inches="tight", pad_inches=0.1)


def _integer_ticks(axis) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _percent_axis(axis) -> None:
    from matplotlib.ticker import MultipleLocator, PercentFormatter

    axis.set_major_locator(MultipleLocator(20))
    axis.set_major_formatter(PercentFormatter(decimals=0))


def bin_width(maximum: float) -> float:
    """The smallest of 1, 2, 2.5, 5, 10, 20, 25, ... points that cuts 0..maximum into at most 20 bins."""
    scale = 1.0
    while True:
        for step in NICE_STEPS:
            if maximum / (step * scale) <= MAX_BINS:
                return step * scale
        scale *= 10


def score_bins(maximum: float) -> list:
    """Bin edges from 0 to `maximum` (the last bin is narrower when the width does not divide it)."""
    width = bin_width(maximum)
    edges = [width * i for i in range(int(maximum // width) + 1)]
    return edges + [maximum] if edges[-1] < maximum else edges


@in_chart_fonts
def scores_figure(totals: list, maximum: float):
    from matplotlib.ticker import MultipleLocator

    figure = _figure(7.0, 3.6)
    axes = figure.add_subplot()
    maximum = maximum or 1.0
    edges = score_bins(maximum)
    axes.hist(totals, bins=edges, color=BAR, edgecolor="white")
    axes.xaxis.set_major_locator(MultipleLocator(2 * (edges[1] - edges[0]) if len(edges) > 2 else maximum))
    axes.set(xlabel=label(N_("total score (out of {maximum}; bins of {width} points)")).format(
                 maximum=points(maximum), width=points(edges[1] - edges[0])),
             ylabel=label(N_("students")), xlim=(0, maximum),
             title=label(N_("Scores of {students} students")).format(students=len(totals)))
    _integer_ticks(axes.yaxis)
    return figure


@in_chart_fonts
def ops_figure(stats: list, graded: int):
    """stats: [(op key, max, mean points, share with full marks)]."""
    figure = _figure(7.0, 3.8)
    axes = figure.add_subplot()
    where = range(len(stats))
    axes.bar([x - 0.2 for x in where], [100 * full for *_, full in stats], width=0.4, color="#55a868",
             label=label(N_("full marks (% of submissions)")))
    axes.bar([x + 0.2 for x in where], [100 * avg / maximum if maximum else 0 for _, maximum, avg, _ in stats],
             width=0.4, color="#8172b2", label=label(N_("mean score (% of the op's points)")))
    axes.set_xticks(list(where), [key for key, *_ in stats])
    axes.set(ylim=(0, 100),
             title=label(N_("Per op, over the {graded} graded submissions")).format(graded=graded))
    _percent_axis(axes.yaxis)
    figure.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    return figure


@in_chart_fonts
def properties_figure(stats: list, graded: int):
    """stats: [(op key, property, points, passed, share passed)], drawn top to bottom in that order."""
    figure = _figure(7.0, 1.2 + 0.24 * max(1, len(stats)))
    axes = figure.add_subplot()
    labels = [f"{key}.{name}" for key, name, *_ in stats][::-1]
    shares = [100 * share for *_, share in stats][::-1]
    bars = axes.barh(labels, shares, color=BAR)
    axes.bar_label(bars, labels=[f"{passed}/{graded}" for *_, passed, _ in stats][::-1], padding=3,
                   fontsize="x-small")
    axes.set(xlim=(0, 112))
    figure.suptitle(label(N_("Share of the {graded} graded submissions passing each property")).format(graded=graded))
    axes.tick_params(axis="y", labelsize="small")
    _percent_axis(axes.xaxis)
    axes.set_xticks(range(0, 101, 20))
    return figure


@in_chart_fonts
def mistakes_figure(top: list):
    """top: [(label, students)], the most frequent first."""
    labels = ["\n".join(wrap(f"{rank}. {title}", LABEL_WIDTH)) for rank, (title, _count) in enumerate(top, start=1)]
    figure = _figure(7.0, max(2.0, 1.0 + 0.22 * sum(label.count("\n") + 1 for label in labels) + 0.1 * len(top)))
    axes = figure.add_subplot()
    if top:
        axes.barh(labels[::-1], [count for _, count in top][::-1], color="#c44e52")
        _integer_ticks(axes.xaxis)
        axes.set(xlabel=label(N_("students")))
        figure.suptitle(label(N_("Most frequent mistakes")))
        axes.tick_params(axis="y", labelsize="small")
    else:
        axes.set_axis_off()
        axes.text(0.5, 0.5, label(N_("no mistakes among the graded submissions")), ha="center", va="center")
    return figure
