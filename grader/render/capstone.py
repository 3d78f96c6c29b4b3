"""The capstone's report in each medium: the terminal (rich), feedback.md with the loss plot, JSON.

Student text (error lines, anything named by a submission) goes through grader/escape.py for
the medium that shows it: rich `Text` (never markup) in the terminal, `markdown_inline` /
`markdown_block` in Markdown.
"""

import json
import math
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..atomic import write_atomic
from ..i18n import N_, _
from .escape import markdown_block, markdown_inline, terminal
from .fonts import in_chart_fonts, label

PLOT_NAME = "loss.png"   # beside feedback.md
# The loss plot's margins, in figure fractions: room for the tick labels (10⁻¹) and the axis labels
# in either language (tests/test_capstone_render.py checks that every text lies inside the figure).
MARGINS = {"left": 0.12, "right": 0.97, "top": 0.95, "bottom": 0.15}


def _diff(row) -> str:
    return "-" if math.isnan(row.max_diff) else f"{row.max_diff:.2e}"


def render_terminal(score, console: Console, title: str = "capstone") -> None:
    table = Table(title=Text(terminal(title)), title_justify="left")
    for column in (_("property"), _("points"), _("result")):
        table.add_column(column)
    for check in score.checks:
        table.add_row(check.name, f"{check.points:g}/{check.max_points:g}",
                      Text(_("ok"), style="green") if check.passed else Text(_("failed"), style="red"))
    table.add_row(_("total"), Text(f"{score.score:g}/{score.max_score:g}", style="bold"), "")
    console.print(table)
    if score.error:
        console.print(Text(terminal(score.error), style="red"))
    if score.table:
        cmp = Table(title=_("network gradients, in backward order (cmp)"), title_justify="left")
        for column in (_("tensor"), _("shape ok"), "max |diff|", _("ok")):
            cmp.add_column(column)
        for row in score.table:
            cmp.add_row(row.name, _("yes") if row.shape_ok else _("NO"), _diff(row),
                        Text(_("ok"), style="green") if row.ok else Text(_("WRONG"), style="red"))
        console.print(cmp)
    if score.curve:
        console.print(_("training: loss {first:.4g} -> {last:.4g} in {steps} steps "
                        "(threshold {threshold:g}; reference {reference:.3g})").format(
            first=score.curve[0], last=score.curve[-1], steps=len(score.curve), threshold=score.threshold,
            reference=score.reference_curve[-1]))
    for check in score.checks:
        if not check.passed and check.feedback:
            console.print(Text(f"{check.name}: ", style="bold") + Text(terminal(check.feedback)))
    if score.student_output:
        console.print(Text(_("your code printed:"), style="bold"))
        console.print(Text(terminal(score.student_output[:2000])))


@in_chart_fonts
def loss_figure(data: dict):
    """The student's training curve beside the reference's (log scale), threshold dashed.
    `data` is the capstone's JSON report (`to_json`), as a batch reads it back.

    Drawn once per student in a batch, so it is made cheap: fixed margins (MARGINS) instead of a
    layout engine and a tight bounding box, a legend in a fixed corner, and no minor ticks
    (together 0.29 s -> 0.12 s a plot). The reference's curve always spans 0.038-2.5, so the
    decades 0.1 and 1 are always labelled."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullLocator

    figure = Figure(figsize=(6, 3.5), dpi=100)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(**MARGINS)
    axes = figure.add_subplot()
    axes.plot(data["reference_curve"], label=label(N_("reference")), color="#999999")
    finite = _plotted(data["curve"])
    if finite:
        axes.plot(finite, label=label(N_("your network")), color="#4c72b0")
    axes.axhline(data["threshold"], linestyle="--", color="#c44e52",
                 label=label(N_("threshold {threshold:g}")).format(threshold=data["threshold"]))
    axes.set_yscale("log")
    axes.yaxis.set_minor_locator(NullLocator())
    axes.set_xlabel(label(N_("SGD step")))
    axes.set_ylabel(label(N_("training loss")))
    axes.legend(loc="upper right")
    return figure


def _plotted(curve) -> list:
    """The student's curve as drawn on a log scale: a missing, infinite or non-positive loss is a gap."""
    return [v if v is not None and math.isfinite(v) and v > 0 else float("nan") for v in curve]


# This process's loss figures, by what the students of a class share (the labels' language, the
# reference's curve, the threshold). A batch's grading process draws one plot per student, so
# it re-uses its figure and replaces only the student's curve: half the time of a new figure
# (0.14 s -> 0.07 s), the same bytes (tests/test_capstone_render.py compares the two).
_FIGURES = {}
_FIGURES_KEPT = 4


@in_chart_fonts
def loss_png(data: dict) -> bytes:
    """`loss_figure` as PNG bytes (no timestamp or software in them: the same curve, the same bytes)."""
    import numpy as np

    from .. import i18n
    from .fonts import cjk_font

    finite = _plotted(data["curve"])
    if not finite:   # no curve of the student's: a figure without its line (never kept)
        return _png(loss_figure(data))
    language = i18n.language()   # and the font its labels are drawn in (English never looks one up)
    key = (language, None if language == i18n.ENGLISH else cjk_font(), tuple(data["reference_curve"]),
           data["threshold"])
    figure = _FIGURES.get(key)
    if figure is None:
        if len(_FIGURES) >= _FIGURES_KEPT:
            _FIGURES.clear()
        figure = _FIGURES[key] = loss_figure(data)
    else:
        axes = figure.axes[0]
        axes.lines[1].set_data(np.arange(len(finite), dtype=float), finite)   # as axes.plot(finite) sets it
        axes.relim()
        axes.autoscale_view()
    return _png(figure)


def _png(figure) -> bytes:
    import io

    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _diff_text(value) -> str:
    return "-" if value is None else f"{value:.2e}"


def markdown_section(data: dict, plot: str = PLOT_NAME) -> str:
    """The capstone's part of feedback.md, from its JSON report; `plot` is the loss PNG beside it
    (None: no plot, as for a submission whose network never trained)."""
    ok, failed, yes, no, wrong = _("ok"), _("failed"), _("yes"), _("no"), _("wrong")  # outside the f-strings: extraction reads no f-string
    lines = ["## " + _("Capstone"), "",
             _("**Score: {score:g}/{max_score:g}** (apart from the ops' points)").format(
                 score=data["score"], max_score=data["max_score"]),
             "", "| {} | {} | {} |".format(_("property"), _("points"), _("result")), "|---|---|---|"]
    lines += [f"| {c['name']} | {c['points']:g}/{c['max_points']:g} | {ok if c['passed'] else failed} |"
              for c in data["checks"]]
    if data["table"]:
        lines += ["", "### " + _("Network gradients, in backward order"), "",
                  "| {} | {} | max \\|diff\\| | {} |".format(_("tensor"), _("shape ok"), ok), "|---|---|---|---|"]
        lines += [f"| {r['name']} | {yes if r['shape_ok'] else no} | {_diff_text(r['max_diff'])} | "
                  f"{ok if r['ok'] else '**' + wrong + '**'} |" for r in data["table"]]
    alt = _("training loss, yours and the reference's")
    lines += ["", "### " + _("Training"), "", f"![{alt}]({plot})", ""] if plot else [""]
    for check in data["checks"]:
        if not check["passed"] and check["feedback"]:
            lines += [f"### {check['name']}", "", markdown_block(check["feedback"])]
    if data["error"]:
        lines += ["### " + _("Error"), "", markdown_block(data["error"])]
    if data["student_output"]:
        lines += ["### " + _("What your code printed"), "", markdown_block(data["student_output"][:2000])]
    return "\n".join(lines) + "\n"


def write_feedback(score, folder: Path, title: str) -> Path:
    """feedback.md and loss.png in `folder`; returns the Markdown file's path."""
    from ..atomic import write_atomic

    data = to_json(score)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / PLOT_NAME, loss_png(data))
    text = "# " + _("Capstone: {title}").format(title=markdown_inline(title)) + "\n\n" + markdown_section(data)
    write_atomic(folder / "feedback.md", text.encode("utf-8"))
    return folder / "feedback.md"


def to_json(score) -> dict:
    data = asdict(score)
    data["table"] = [{**row, "max_diff": None if math.isnan(row["max_diff"]) else row["max_diff"]}
                     for row in data["table"]]
    for key in ("curve", "reference_curve"):   # JSON has no NaN or infinity
        data[key] = [v if math.isfinite(v) else None for v in data[key]]
    return data


def with_part(report: dict, part: dict) -> dict:
    """The ops' report (JSON form) with the capstone's (`to_json`) under "capstone", and "total":
    the score and max score over every graded part, as the gradebook and the platforms count
    them. The ops' own ``score``/``max_score`` stay theirs; a report without a capstone has neither key."""
    report["capstone"] = part
    report["total"] = {"score": float(report["score"]) + float(part["score"]),
                       "max_score": float(report["max_score"]) + float(part["max_score"])}
    return report


def write_json(score, path) -> None:
    write_atomic(path, json.dumps(to_json(score), indent=2, sort_keys=True) + "\n")
