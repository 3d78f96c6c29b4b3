"""The grade import files of Canvas, Moodle and Blackboard, and a plain CSV, from a gradebook.

Each format is what that LMS's documentation (and, where it is open source, its importer) reads;
docs/lms.md cites the sources and shows a file of each:

- ``canvas``: the Gradebook import CSV. The header is ``Student, ID, SIS User ID, SIS Login ID,
  Section`` and then one column per assignment; Canvas finds the student by ID, then SIS User
  ID, then SIS Login ID, then name, and the assignment by a title ending in ``(id)``, or creates
  a new assignment of that title. A ``Points Possible`` row after the header gives a new
  assignment its points (canvas-lms, app/models/gradebook_importer.rb).
- ``moodle``: the CSV grade import. Columns ``Username, ID number, Email address`` and then
  the grades; at import the teacher maps one of them to username, useridnumber or useremail
  ("Map from" / "Map to") and each grade column to a grade item or a new one (Moodle Docs,
  Grade import; grade/import/csv/classes/load_data.php).
- ``blackboard``: the Grade Center upload of Blackboard Learn *Original* courses. Students are
  identified by ``Username``; a column titled ``Title |<Column ID>`` updates that column, any
  other title creates a new one; comma-delimited files quote every value (Blackboard Help,
  Uploading or Downloading Grade Center Items for Working Offline).
- ``csv``: ``id`` (the submission id), the roster's identity fields when there is a roster,
  then the grades: for spreadsheets and other systems.

The grade columns are the total, titled ``--title``, or with ``per_op`` one column per op of the
gradebook (whatever ops it was graded on), titled ``<title>: <op>``. Every text cell goes
through gradebook.neutralised, so no cell runs as a spreadsheet formula. Rows follow the
gradebook's order (sorted ids), so the same gradebook and roster give the same bytes.
"""

import csv
import io
import re
from dataclasses import dataclass

from ...i18n import _
from ..gradebook import neutralised, points
from .roster import FIELDS, SUBMISSION


@dataclass(frozen=True)
class LmsFormat:
    name: str
    identity: tuple           # (header, roster field) of the columns before the grades
    keys: tuple               # the roster fields by which this LMS finds a student
    quote_all: bool = False   # Blackboard: every value of a comma-delimited file in quotes
    points_row: bool = False  # Canvas: a "Points Possible" row right after the header


CANVAS = LmsFormat("canvas", (("Student", "name"), ("ID", "lms_id"), ("SIS User ID", "idnumber"),
                              ("SIS Login ID", "username"), ("Section", "section")),
                   keys=("lms_id", "idnumber", "username", "name"), points_row=True)
MOODLE = LmsFormat("moodle", (("Username", "username"), ("ID number", "idnumber"), ("Email address", "email")),
                   keys=("username", "idnumber", "email"))
BLACKBOARD = LmsFormat("blackboard", (("Username", "username"),), keys=("username",), quote_all=True)
PLAIN = LmsFormat("csv", (("id", SUBMISSION),), keys=(SUBMISSION,))
FORMATS = {fmt.name: fmt for fmt in (CANVAS, MOODLE, BLACKBOARD, PLAIN)}

# Canvas drops trailing columns with these titles before it reads the assignments
# (GradebookImporter#strip_non_assignment_columns): a grade column must not be one of them.
CANVAS_IGNORED = re.compile(r"Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade")
POINTS_POSSIBLE = "Points Possible"


def title_problem(fmt: LmsFormat, title: str):
    """Why `title` cannot head a grade column of `fmt`, or None."""
    if not title.strip():
        return _("--title must not be empty")
    if fmt is CANVAS and CANVAS_IGNORED.search(title):
        return _("Canvas ignores a column titled {title!r} (it reads it as its own computed score); "
                 "choose another --title").format(title=title)
    return None


def grade_columns(gradebook, title: str, per_op: bool) -> list:
    """[(header, maximum, op key or None for the total)] of the grade columns."""
    if per_op:
        return [(f"{title}: {key}", maximum, key) for key, maximum in gradebook.columns]
    return [(title, gradebook.max_score, None)]


def identity_columns(fmt: LmsFormat, with_roster: bool) -> tuple:
    if fmt is PLAIN and with_roster:
        return fmt.identity + tuple((name, name) for name in FIELDS)
    return fmt.identity


def export_text(gradebook, fmt: LmsFormat, people: dict, title: str, per_op: bool, with_roster: bool) -> str:
    """The import file: a header, Canvas's points row, then one row per student in `people`
    (submission id -> roster fields), in gradebook order."""
    identity = identity_columns(fmt, with_roster)
    grades = grade_columns(gradebook, title, per_op)
    out = io.StringIO()
    # CRLF, as RFC 4180 has it; QUOTE_ALL for Blackboard, minimal quoting for the others.
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL if fmt.quote_all else csv.QUOTE_MINIMAL)
    writer.writerow([neutralised(header) for header, _ in identity] + [neutralised(header) for header, _, _ in grades])
    if fmt.points_row:
        writer.writerow([POINTS_POSSIBLE] + [""] * (len(identity) - 1) + [points(maximum) for _, maximum, _ in grades])
    for row in gradebook.rows:
        person = people.get(row.id)
        if person is None:
            continue
        cells = [neutralised(person.get(name, "")) for _, name in identity]
        cells += [points(row.score if key is None else row.ops.get(key, 0.0)) for _, _, key in grades]
        writer.writerow(cells)
    return out.getvalue()
