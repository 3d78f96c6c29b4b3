"""The gradebook of a batch: one row per student, written as CSV and JSON, merged across shards.

``gradebook.csv`` has the columns ``id, <op key> ... (contract order), total``: one number per
cell, what a spreadsheet or an LMS import wants. ``gradebook.json`` holds the same rows plus
what the summary needs (the maximum per op, each student's load error and failed checks) and,
for a shard, which shard of how many students it is, so `merge` can check nothing is missing.

Rows are sorted by student id and hold nothing that depends on when, where or how fast the
batch ran, so the same submissions give byte-identical files whatever ``-j``, however the
batch was interrupted and resumed, and whether it ran whole or as shards merged afterwards.
"""

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .atomic import write_atomic
from .contract import OPS

CSV_NAME, JSON_NAME = "gradebook.csv", "gradebook.json"
FORMAT = 1


class GradebookError(Exception):
    """A gradebook that cannot be read or merged; the message is one line."""


@dataclass
class Row:
    id: str
    score: float
    max_score: float
    ops: dict                     # op key -> points earned
    load_error: str = ""
    failures: list = field(default_factory=list)  # {"op", "check", "kind", "diagnosis"} per failed check


@dataclass
class Gradebook:
    columns: list                 # [[op key, max points]] of the graded ops, in contract order
    rows: list                    # Row, sorted by id
    shard: dict = None            # {"index": i, "count": n, "students": all students of the batch}

    @property
    def max_score(self) -> float:
        return sum(points for _, points in self.columns)


def columns_for(rubric) -> list:
    return [[op.key, float(rubric.op_max(op.key))] for op in OPS if rubric.graded(op.key)]


def row_from_report(student_id: str, report: dict) -> Row:
    """A gradebook row from a ``Report.to_json()`` dict (as written to report.json)."""
    failures = [{"op": key, "check": check["name"], "kind": check.get("kind", ""),
                 "diagnosis": check.get("diagnosis", "")}
                for key, op in report["ops"].items() for check in op["checks"] if not check["passed"]]
    return Row(student_id, float(report["score"]), float(report["max_score"]),
               {key: float(op["score"]) for key, op in report["ops"].items()},
               report.get("load_error", ""), failures)


def report_fits(report, columns) -> bool:
    """Is this parsed report.json a whole report for these columns (same graded ops, same maxima)?"""
    try:
        return isinstance(report["score"], (int, float)) and \
            [[key, float(op["max_score"])] for key, op in report["ops"].items()] == columns and \
            all(isinstance(check["passed"], bool) for op in report["ops"].values() for check in op["checks"])
    except (KeyError, TypeError, AttributeError):
        return False


def points(value: float) -> str:
    """12, 7.5, 33.3333: what a person reads in a spreadsheet cell."""
    return f"{value:g}"


def csv_text(gradebook: Gradebook) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *(key for key, _ in gradebook.columns), "total"])
    for row in gradebook.rows:
        writer.writerow([row.id, *(points(row.ops.get(key, 0.0)) for key, _ in gradebook.columns),
                         points(row.score)])
    return out.getvalue()


def json_text(gradebook: Gradebook) -> str:
    data = {"format": FORMAT, "columns": gradebook.columns, "max_score": gradebook.max_score,
            "shard": gradebook.shard, "students": [asdict(row) for row in gradebook.rows]}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def write_gradebook(gradebook: Gradebook, folder) -> None:
    write_atomic(Path(folder) / CSV_NAME, csv_text(gradebook))
    write_atomic(Path(folder) / JSON_NAME, json_text(gradebook))


def read_gradebook(folder) -> Gradebook:
    path = Path(folder) / JSON_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("unknown format")
        return Gradebook(data["columns"], [Row(**row) for row in data["students"]], data.get("shard"))
    except FileNotFoundError:
        raise GradebookError(f"{folder} has no {JSON_NAME}; is it the --out folder of a finished "
                             "`grader batch`?") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise GradebookError(f"{path} cannot be read ({error}); rerun the batch for that folder") from None


def merge(gradebooks: list, names: list) -> Gradebook:
    """One gradebook from several (shards, or separate batches) graded with the same rubric."""
    first = gradebooks[0]
    owner = {}
    for book, name in zip(gradebooks, names):
        if book.columns != first.columns:
            raise GradebookError(f"{name} was graded with a different rubric than {names[0]} "
                                 "(other ops or points); regrade one of them")
        for row in book.rows:
            if row.id in owner:
                raise GradebookError(f"student {row.id!r} is in both {owner[row.id]} and {name}")
            owner[row.id] = name
    _check_shards([book.shard for book in gradebooks], len(owner))
    rows = sorted((row for book in gradebooks for row in book.rows), key=lambda row: row.id)
    return Gradebook(first.columns, rows)


def _check_shards(shards: list, students: int) -> None:
    """Shards merge only all together: every index 1..n once, and every student of the batch."""
    given = [shard for shard in shards if shard]
    if not given:
        return
    if len(given) != len(shards):
        raise GradebookError("some folders are shards (--shard) and some are not; merge the shards of one batch")
    count = given[0]["count"]
    if any(shard["count"] != count or shard["students"] != given[0]["students"] for shard in given):
        raise GradebookError("the folders are shards of different batches (different --shard counts or submissions)")
    missing = sorted(set(range(1, count + 1)) - {shard["index"] for shard in given})
    if missing or len(given) != count:
        what = ", ".join(f"{i}/{count}" for i in missing) if missing else "a shard given twice"
        raise GradebookError(f"cannot merge: missing shard(s) {what}")
    if students != given[0]["students"]:
        raise GradebookError(f"the shards hold {students} students but the batch had {given[0]['students']}; "
                             "rerun the incomplete shard with --resume")
