"""The gradebook of a batch: one row per student, written as CSV and JSON, merged across shards.

``gradebook.csv`` has the columns ``id, status, <op key> ... (contract order), total``: one
value per cell, what a spreadsheet or an LMS import wants. The first row after the header is
``Points Possible``: the maximum of each column (Canvas's gradebook CSV has the same row), so a
0 reads as "0 of 12". ``status`` says why a row holds what it holds (status.py: graded, not
implemented, load error, timeout, crashed, missing), so "did not load" is not "did nothing".
Student ids are file names, so an id that a spreadsheet would run as a formula (one that
starts with ``= + - @``, a tab or a carriage return) gets a leading ``'``, as OWASP's CSV
Injection page advises (https://owasp.org/www-community/attacks/CSV_Injection); the JSON keeps
the id as it is.

``gradebook.json`` holds the same rows plus what the summary needs (the maximum per op, the
graded properties, each student's status, load error and failed checks) and, for a shard,
which shard of how many students it is, so `merge` can check nothing is missing.

Rows are sorted by student id and hold nothing that depends on when, where or how fast the
batch ran, so the same submissions give byte-identical files whatever ``-j``, however the
batch was interrupted and resumed, and whether it ran whole or as shards merged afterwards.
"""

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..atomic import write_atomic
from ..core.status import GRADED, STATUSES
from ..i18n import _

CSV_NAME, JSON_NAME = "gradebook.csv", "gradebook.json"
FORMAT = 2
MAX_ROW = "Points Possible"   # the id cell of the CSV's row of maxima; no student may take it
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class GradebookError(Exception):
    """A gradebook that cannot be read or merged; the message is one line."""


@dataclass
class Row:
    id: str
    score: float
    max_score: float
    ops: dict                     # op key -> points earned
    status: str = GRADED          # status.py
    load_error: str = ""
    # {"op", "check", "kind", "mistake", "diagnosis", "reason"} per failed check, in report order
    failures: list = field(default_factory=list)


@dataclass
class Gradebook:
    columns: list                 # [[op key, max points]] of the graded ops, in contract order
    rows: list                    # Row, sorted by id
    shard: dict = None            # {"index": i, "count": n, "students": all students of the batch}
    properties: list = field(default_factory=list)  # [[op key, property, points]], rubric order

    @property
    def max_score(self) -> float:
        return sum(points for _, points in self.columns)


def columns_for(rubric) -> list:
    return [[op.key, float(rubric.op_max(op.key))] for op in rubric.graded_ops]


def properties_for(rubric) -> list:
    return [[op.key, prop.name, float(points)] for op in rubric.contract for prop, points in rubric.graded(op.key)]


def row_from_report(student_id: str, report: dict) -> Row:
    """A gradebook row from a batch's report.json (``Report.to_json()`` plus its ``status``)."""
    failures = [{"op": key, "check": check["name"], "kind": check.get("kind", ""),
                 "mistake": check.get("mistake", ""), "diagnosis": check.get("diagnosis", ""),
                 "reason": check.get("reason", "")}
                for key, op in report["ops"].items() for check in op["checks"] if not check["passed"]]
    return Row(student_id, float(report["score"]), float(report["max_score"]),
               {key: float(op["score"]) for key, op in report["ops"].items()},
               report["status"], report.get("load_error", ""), failures)


def report_fits(report, columns) -> bool:
    """Is this parsed report.json a whole batch report for these columns (same graded ops, same
    maxima, a known status)?"""
    try:
        return isinstance(report["score"], (int, float)) and report["status"] in STATUSES and \
            [[key, float(op["max_score"])] for key, op in report["ops"].items()] == columns and \
            all(isinstance(check["passed"], bool) for op in report["ops"].values() for check in op["checks"])
    except (KeyError, TypeError, AttributeError):
        return False


def points(value: float) -> str:
    """12, 7.5, 33.3333: what a person reads in a spreadsheet cell."""
    return f"{value:g}"


def neutralised(cell: str) -> str:
    """A text cell that no spreadsheet evaluates: a would-be formula gets a leading ``'``.

    Leading blanks do not hide a trigger: some importers trim them before they look.
    """
    return f"'{cell}" if cell.startswith(FORMULA_TRIGGERS) or cell.lstrip().startswith(FORMULA_TRIGGERS) else cell


def csv_text(gradebook: Gradebook) -> str:
    out = io.StringIO()
    # CRLF, as RFC 4180 has it; it also makes the writer quote a field holding a lone CR.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "status", *(key for key, _ in gradebook.columns), "total"])
    writer.writerow([MAX_ROW, "", *(points(maximum) for _, maximum in gradebook.columns),
                     points(gradebook.max_score)])
    for row in gradebook.rows:
        writer.writerow([neutralised(row.id), row.status,
                         *(points(row.ops.get(key, 0.0)) for key, _ in gradebook.columns), points(row.score)])
    return out.getvalue()


def json_text(gradebook: Gradebook) -> str:
    data = {"format": FORMAT, "columns": gradebook.columns, "properties": gradebook.properties,
            "max_score": gradebook.max_score, "shard": gradebook.shard,
            "students": [asdict(row) for row in gradebook.rows]}
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
        return Gradebook(data["columns"], [Row(**row) for row in data["students"]], data.get("shard"),
                         data["properties"])
    except FileNotFoundError:
        raise GradebookError(_("{folder} has no {name}; is it the --out folder of a finished "
                               "`grader batch`?").format(folder=folder, name=JSON_NAME)) from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise GradebookError(_("{path} cannot be read ({error}); rerun the batch for that folder").format(
            path=path, error=error)) from None


def merge(gradebooks: list, names: list) -> Gradebook:
    """One gradebook from several (shards, or separate batches) graded with the same rubric."""
    first = gradebooks[0]
    owner = {}
    for book, name in zip(gradebooks, names):
        if book.columns != first.columns or book.properties != first.properties:
            raise GradebookError(_("{name} was graded with a different rubric than {first} "
                                   "(other ops or points); regrade one of them").format(name=name, first=names[0]))
        for row in book.rows:
            if row.id in owner:
                raise GradebookError(_("student {student!r} is in both {owner} and {name}").format(
                    student=row.id, owner=owner[row.id], name=name))
            owner[row.id] = name
    _check_shards([book.shard for book in gradebooks], len(owner))
    rows = sorted((row for book in gradebooks for row in book.rows), key=lambda row: row.id)
    return Gradebook(first.columns, rows, properties=first.properties)


def _check_shards(shards: list, students: int) -> None:
    """Shards merge only all together: every index 1..n once, and every student of the batch."""
    given = [shard for shard in shards if shard]
    if not given:
        return
    if len(given) != len(shards):
        raise GradebookError(_("some folders are shards (--shard) and some are not; merge the shards of one batch"))
    count = given[0]["count"]
    if any(shard["count"] != count or shard["students"] != given[0]["students"] for shard in given):
        raise GradebookError(_("the folders are shards of different batches (different --shard counts or "
                               "submissions)"))
    missing = sorted(set(range(1, count + 1)) - {shard["index"] for shard in given})
    if missing or len(given) != count:
        what = ", ".join(f"{i}/{count}" for i in missing) if missing else _("a shard given twice")
        raise GradebookError(_("cannot merge: missing shard(s) {what}").format(what=what))
    if students != given[0]["students"]:
        raise GradebookError(_("the shards hold {students} students but the batch had {expected}; "
                               "rerun the incomplete shard with --resume").format(
            students=students, expected=given[0]["students"]))
