"""The capstone in a batch's summary: every student's training curve beside the reference's.

Read from the students' report.json files in the output folder (a merged folder holds them too),
so the summary needs nothing the gradebook does not already imply. Only numbers are plotted,
and the section's text is the kit's own: no student text reaches the page from here.
"""

import json
import math
from pathlib import Path

from ..i18n import N_, _
from .charts import in_chart_fonts, label, save

PLOT = "summary-capstone.png"


def capstone_reports(gradebook, folder: Path) -> list:
    """The "capstone" report of each student in the gradebook who handed in a graph.py, in id order
    (a student who did not has a part scoring 0 marked ``"handed_in": false``: batch.py)."""
    found = []
    for row in gradebook.rows:
        try:
            report = json.loads((folder / row.id / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict) and isinstance(report.get("capstone"), dict) and \
                report["capstone"].get("handed_in", True):
            found.append(report["capstone"])
    return found


@in_chart_fonts
def curves_figure(parts: list):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for part in parts:
        curve = [v if isinstance(v, (int, float)) and math.isfinite(v) and v > 0 else float("nan")
                 for v in part.get("curve") or []]
        if curve:
            axes.plot(curve, color="#4c72b0", alpha=0.35, linewidth=1)
    first = parts[0]
    axes.plot(first["reference_curve"], color="#333333", linewidth=2, label=label(N_("reference")))
    axes.axhline(first["threshold"], linestyle="--", color="#c44e52",
                 label=label(N_("threshold {threshold:g}")).format(threshold=first["threshold"]))
    axes.plot([], color="#4c72b0", alpha=0.6, label=label(N_("students")))
    axes.set_yscale("log")
    axes.set_xlabel(label(N_("SGD step")))
    axes.set_ylabel(label(N_("training loss")))
    axes.legend()
    return figure


def write_capstone_summary(gradebook, folder: Path) -> str:
    """Write the curves plot into `folder`; the summary's HTML section ("" when no one has a capstone)."""
    parts = capstone_reports(gradebook, folder)
    if not parts:
        return ""
    save(curves_figure(parts), folder / PLOT)
    reached = sum(1 for part in parts for check in part.get("checks", ())
                  if check.get("name") == "milestone" and check.get("passed"))
    # The kit's own words, translated: a page has the browser's fonts, whatever matplotlib has.
    heading = _("Capstone: training curves")
    counts = _("{submissions} submissions with a graph.py; {reached} reached the milestone.").format(
        submissions=len(parts), reached=reached)
    alt = _("every student's training loss beside the reference's")
    return (f'<section id="capstone"><h2>{heading}</h2><p>{counts}</p>'
            f'<img src="{PLOT}" alt="{alt}"></section>\n')
