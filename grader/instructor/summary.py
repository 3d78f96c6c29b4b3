"""summary.html for a batch: where the class stands and which mistakes are common.

Everything is computed from the gradebook alone, so a merged gradebook gives the same page as
one batch. The page (templates/summary.html.j2, autoescaped) shows:

- how many students got each status (status.py), and the class's scores;
- per op and per property, how many of the *graded* submissions (status ``graded``: their code
  ran) got full marks or passed; the others are in the status counts, not in these rates;
- the most frequent mistakes. A mistake is a failed check's ``mistake`` (the misconception's
  stable id, from diagnose.py) when it has one, else its op, property and verdict kind, never
  its sentence: a sentence quotes the example's values, so one bug would split into as many
  rows as examples. An op that is not implemented at all is one mistake, not one per property.
  Each group counts students (once each) and shows one example sentence, the first one in id
  order, so the page is the same on every run;
- one row per student, linking to their feedback.html.

The charts are drawn by charts.py.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, median

from ..atomic import write_atomic
from .charts import mistakes_figure, ops_figure, properties_figure, save, scores_figure
from ..render.pages import render
from ..core.status import GRADED, STATUSES

HTML_NAME = "summary.html"
PLOTS = {"scores": "summary-scores.png", "ops": "summary-ops.png", "properties": "summary-properties.png",
         "mistakes": "summary-mistakes.png"}
TOP_MISTAKES = 15


@dataclass
class Mistake:
    """One group of failed checks: the same misconception (or op, property, kind) in several students."""

    op: str
    mistake: str            # the stable id, "" when the diagnoser named none
    prop: str = ""          # for a group without id: its property ("" for "not implemented")
    kind: str = ""          # for a group without id: the judge's verdict kind
    students: list = field(default_factory=list)    # ids, each once, in id order
    properties: list = field(default_factory=list)  # every property it failed, in first-seen order
    example: str = ""       # one sentence: the first student's diagnosis, else the judge's reason

    @property
    def label(self) -> str:
        """The mistake's id, else "property: kind" (or "not implemented")."""
        if self.mistake:
            return self.mistake
        return f"{self.prop}: {self.kind}" if self.prop else self.kind.replace("_", " ")

    @property
    def title(self) -> str:
        """The label with its op: "mul: swapped_operands", "mul.broadcast: shape"."""
        return f"{self.op}.{self.label}" if self.prop and not self.mistake else f"{self.op}: {self.label}"


def mistake_key(failure: dict) -> tuple:
    """What groups a failed check: (op, mistake id) or (op, "", property, kind)."""
    if failure.get("mistake"):
        return failure["op"], failure["mistake"], "", ""
    if failure.get("kind") == "not_implemented":
        return failure["op"], "", "", "not_implemented"
    return failure["op"], "", failure["check"], failure.get("kind") or "failed"


def mistakes(gradebook) -> list:
    """Every Mistake of the graded submissions, the most frequent first (ties: op order, label)."""
    groups = {}
    for row in gradebook.rows:
        if row.status != GRADED:
            continue
        for failure in row.failures:
            key = mistake_key(failure)
            group = groups.setdefault(key, Mistake(*key))
            if not group.students or group.students[-1] != row.id:
                group.students.append(row.id)
            if failure["check"] not in group.properties:
                group.properties.append(failure["check"])
            group.example = group.example or failure.get("diagnosis") or failure.get("reason", "")
    order = {key: position for position, (key, _) in enumerate(gradebook.columns)}  # the contract's order
    return sorted(groups.values(), key=lambda g: (-len(g.students), order.get(g.op, len(order)), g.label))


def graded_rows(gradebook) -> list:
    return [row for row in gradebook.rows if row.status == GRADED]


def op_stats(gradebook) -> list:
    """[(op key, max, mean points, share with full marks)] over the graded submissions, in column order."""
    rows = graded_rows(gradebook)
    stats = []
    for key, maximum in gradebook.columns:
        scores = [row.ops.get(key, 0.0) for row in rows]
        full = sum(score >= maximum for score in scores)
        stats.append((key, maximum, mean(scores) if scores else 0.0, full / len(scores) if scores else 0.0))
    return stats


def property_stats(gradebook) -> list:
    """[(op key, property, points, passed, share passed)] over the graded submissions, rubric order."""
    rows = graded_rows(gradebook)
    failed = Counter((failure["op"], failure["check"]) for row in rows for failure in row.failures)
    return [(key, name, maximum, len(rows) - failed[key, name], (len(rows) - failed[key, name]) / len(rows)
             if rows else 0.0) for key, name, maximum in gradebook.properties]


def overview(gradebook) -> dict:
    totals = [row.score for row in gradebook.rows]
    by_status = Counter(row.status for row in gradebook.rows)
    return {"students": len(totals), "max_score": gradebook.max_score,
            "mean": round(mean(totals), 2) if totals else 0.0, "median": median(totals) if totals else 0.0,
            "full": sum(total >= gradebook.max_score for total in totals), "zero": sum(t == 0 for t in totals),
            "statuses": [(status, by_status[status]) for status in STATUSES if by_status[status]],
            "graded": by_status[GRADED]}


def html_text(gradebook, groups: list) -> str:
    return render("summary.html.j2", gradebook=gradebook, overview=overview(gradebook), plots=PLOTS,
                  ops=op_stats(gradebook), properties=property_stats(gradebook), mistakes=groups[:TOP_MISTAKES],
                  more_mistakes=len(groups) - TOP_MISTAKES)


def write_summary(gradebook, folder) -> Path:
    """Write summary.html and its PNGs into `folder`; returns the HTML's path."""
    folder = Path(folder)
    groups = mistakes(gradebook)
    graded = len(graded_rows(gradebook))
    save(scores_figure([row.score for row in gradebook.rows], gradebook.max_score), folder / PLOTS["scores"])
    save(ops_figure(op_stats(gradebook), graded), folder / PLOTS["ops"])
    save(properties_figure(property_stats(gradebook), graded), folder / PLOTS["properties"])
    save(mistakes_figure([(group.title, len(group.students)) for group in groups[:TOP_MISTAKES]]),
         folder / PLOTS["mistakes"])
    from .capstone_summary import write_capstone_summary

    html = html_text(gradebook, groups)
    section = write_capstone_summary(gradebook, folder)   # the capstone's curves, when students had one
    write_atomic(folder / HTML_NAME, html.replace("</body>", section + "</body>", 1) if section else html)
    return folder / HTML_NAME
