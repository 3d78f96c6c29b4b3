"""summary.html for a batch: where the class stands and which mistakes are common.

Three PNGs drawn with matplotlib's Agg renderer (no display needed, no pyplot global state):
the histogram of total scores, per op the share of students with full marks and the mean
score, and the most frequent mistakes. A mistake is a failed check's diagnosis when the
diagnoser named one, else the judge's verdict kind ("values", "shape", ...); each is counted
once per student and op; a submission that did not load, or implemented nothing, counts once
as such, not once per check. Everything is computed from the gradebook alone, so a merged gradebook
gives the same page as one batch.
"""

import html
from collections import Counter
from pathlib import Path
from statistics import mean, median
from textwrap import shorten
from urllib.parse import quote

from .atomic import atomic_file, write_atomic
from .gradebook import points

HTML_NAME = "summary.html"
PLOTS = {"scores": "summary-scores.png", "ops": "summary-ops.png", "mistakes": "summary-mistakes.png"}
TOP_MISTAKES = 12
LABEL_WIDTH = 60  # characters of a mistake shown on the chart


def mistake_counts(gradebook) -> Counter:
    """(op, mistake) -> number of students who made it."""
    counts = Counter()
    for row in gradebook.rows:
        if row.load_error:
            counts[("submission", "did not load")] += 1
            continue
        if row.failures and row.score == 0 and all(f["kind"] == "not_implemented" for f in row.failures):
            counts[("submission", "nothing implemented (the stubs)")] += 1
            continue
        counts.update({(failure["op"], failure["diagnosis"] or failure["kind"].replace("_", " ") or "failed")
                       for failure in row.failures})
    return counts


def top_mistakes(counts: Counter) -> list:
    """The most frequent first; ties by op and name, so the page is the same on every run."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_MISTAKES]


def op_stats(gradebook) -> list:
    """[(op key, max, mean points, share with full marks)] in column order."""
    stats = []
    for key, maximum in gradebook.columns:
        scores = [row.ops.get(key, 0.0) for row in gradebook.rows]
        full = sum(score >= maximum for score in scores)
        stats.append((key, maximum, mean(scores) if scores else 0.0, full / len(scores) if scores else 0.0))
    return stats


def _figure(width=7.0, height=3.6):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path: Path) -> None:
    with atomic_file(path) as out:
        figure.savefig(out, format="png")


def plot_scores(gradebook, path: Path) -> None:
    figure = _figure()
    axes = figure.add_subplot()
    maximum = gradebook.max_score or 1.0
    axes.hist([row.score for row in gradebook.rows], bins=[maximum * i / 10 for i in range(11)],
              color="#4c72b0", edgecolor="white")
    axes.set(xlabel=f"total score (out of {points(maximum)})", ylabel="students", xlim=(0, maximum),
             title=f"Scores of {len(gradebook.rows)} students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    _save(figure, path)


def plot_ops(gradebook, path: Path) -> None:
    stats = op_stats(gradebook)
    figure = _figure()
    axes = figure.add_subplot()
    where = range(len(stats))
    axes.bar([x - 0.2 for x in where], [100 * full for *_, full in stats], width=0.4, color="#55a868",
             label="full marks (% of students)")
    axes.bar([x + 0.2 for x in where], [100 * avg / maximum if maximum else 0 for _, maximum, avg, _ in stats],
             width=0.4, color="#8172b2", label="mean score (% of the op's points)")
    axes.set_xticks(list(where), [key for key, *_ in stats])
    axes.set(ylim=(0, 100), ylabel="%")
    figure.legend(loc="outside upper center", ncols=2, fontsize="small", frameon=False)
    _save(figure, path)


def plot_mistakes(counts: Counter, path: Path) -> None:
    top = top_mistakes(counts)
    figure = _figure(width=9.0, height=max(2.0, 0.9 + 0.3 * len(top)))
    axes = figure.add_subplot()
    if top:
        # Diagnoses are whole sentences: the chart shows their start, the page's table all of it.
        labels = [f"{rank}. {op}: {shorten(mistake, LABEL_WIDTH, placeholder=' ...')}"
                  for rank, ((op, mistake), _) in enumerate(top, start=1)][::-1]
        axes.barh(labels, [count for _, count in top][::-1], color="#c44e52")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set(xlabel="students", title="Most frequent mistakes")
    else:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "no mistakes: every check passed", ha="center", va="center")
    _save(figure, path)


def _table(header, rows) -> str:
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>\n" for row in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}</table>\n"


def html_text(gradebook, counts: Counter) -> str:
    e = html.escape
    totals = [row.score for row in gradebook.rows]
    maximum = gradebook.max_score
    overview = (f"{len(totals)} students, out of {points(maximum)} points: mean {points(round(mean(totals), 2))}, "
                f"median {points(median(totals))}, full marks {sum(t >= maximum for t in totals)}, "
                f"zero {sum(t == 0 for t in totals)}, did not load {sum(bool(r.load_error) for r in gradebook.rows)}"
                if totals else "no students")
    shard = (f"<p>Shard {gradebook.shard['index']} of {gradebook.shard['count']} (run <code>grader merge</code> "
             "on every shard's folder for the whole class).</p>\n" if gradebook.shard else "")
    ops = _table(["op", "points", "mean", "full marks"],
                 [(e(key), points(maximum_op), points(round(avg, 2)), f"{100 * full:.0f}%")
                  for key, maximum_op, avg, full in op_stats(gradebook)])
    mistakes = _table(["", "op", "mistake", "students"],
                      [(rank, e(op), e(mistake), count)
                       for rank, ((op, mistake), count) in enumerate(top_mistakes(counts), start=1)])
    students = _table(["id", *(e(key) for key, _ in gradebook.columns), "total", "load error"],
                      [(f'<a href="{quote(row.id)}/feedback.md">{e(row.id)}</a>',
                        *(points(row.ops.get(key, 0.0)) for key, _ in gradebook.columns),
                        f"<b>{points(row.score)}</b>", e(row.load_error)) for row in gradebook.rows])
    images = "".join(f'<img src="{name}" alt="{key}">\n' for key, name in PLOTS.items())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Batch summary</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 72em; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }}
img {{ display: block; margin: 1em 0; max-width: 100%; }}
</style>
</head>
<body>
<h1>Batch summary</h1>
{shard}<p>{e(overview)}</p>
{images}<h2>Per op</h2>
{ops}<h2>Most frequent mistakes</h2>
{mistakes}<h2>Students</h2>
{students}</body>
</html>
"""


def write_summary(gradebook, folder) -> Path:
    """Write summary.html and its PNGs into `folder`; returns the HTML's path."""
    folder = Path(folder)
    counts = mistake_counts(gradebook)
    plot_scores(gradebook, folder / PLOTS["scores"])
    plot_ops(gradebook, folder / PLOTS["ops"])
    plot_mistakes(counts, folder / PLOTS["mistakes"])
    write_atomic(folder / HTML_NAME, html_text(gradebook, counts))
    return folder / HTML_NAME
