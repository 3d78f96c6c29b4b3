"""The roster: which LMS identity each submission id belongs to.

A roster is a UTF-8 CSV file with a header row. One column, ``submission``, holds the id the
batch gave the student (the name of their file or folder, as in gradebook.json); the others say
who that is in the LMS, each under one of these names (case and surrounding blanks ignored):

    name       the student's name (Canvas's "Student" column)
    email      the e-mail address (Moodle maps it to "useremail")
    idnumber   the institution's student number (Canvas's "SIS User ID", Moodle's "ID number")
    username   the login (Canvas's "SIS Login ID", Moodle's and Blackboard's "Username")
    lms_id     the LMS's own numeric user id (Canvas's "ID")
    section    the section (Canvas's "Section")

Any column may be left out or left empty. Identity values are stripped of surrounding blanks;
the submission cell is not, since it must equal the file name. A header that is none of these is refused, so a
misspelt column is never silently dropped. Without a roster, each submission id is taken to be
the student's username.

Matching a gradebook with a roster finds three problems, each reported in one line while the
export still writes every row it can: a submission with no roster entry (left out), a roster
entry with no submission (left out: the export invents no grade), and an id given twice (a
submission id on two roster rows, or two submissions with the same LMS identity: both left out,
since either could be the right one).
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ...i18n import _

SUBMISSION = "submission"
FIELDS = ("name", "email", "idnumber", "username", "lms_id", "section")


class RosterError(Exception):
    """A roster that cannot be used at all; the message is one line."""


@dataclass
class Match:
    """Who each exported submission is, and the problems found on the way, in a fixed order."""
    people: dict                                   # submission id -> {field: value}
    problems: list = field(default_factory=list)   # one line each


def read_roster(path) -> list:
    """The roster's rows as dicts of ``submission`` and the FIELDS it has, in file order."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")   # a spreadsheet's byte-order mark is fine
    except FileNotFoundError:
        raise RosterError(_("no such roster: {path}").format(path=path)) from None
    except IsADirectoryError:
        raise RosterError(_("--roster {path} is a folder; give the roster's CSV file").format(path=path)) from None
    except UnicodeDecodeError:
        raise RosterError(_("the roster {path} is not UTF-8 text; save it as CSV UTF-8").format(path=path)) from None
    try:
        table = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise RosterError(_("the roster {path} is not valid CSV ({error})").format(path=path, error=error)) from None
    if not table:
        raise RosterError(_("the roster {path} is empty; it needs a header row with a {column!r} column").format(
            path=path, column=SUBMISSION))
    if len(table[0]) == 1 and ";" in table[0][0]:
        raise RosterError(_("the roster {path} looks ;-separated; save it as CSV with commas").format(path=path))
    # A column with an empty header (a spreadsheet's trailing comma) is no column.
    named = [(i, cell.strip().lower()) for i, cell in enumerate(table[0]) if cell.strip()]
    header = [name for _, name in named]
    unknown = [name for name in header if name not in (SUBMISSION, *FIELDS)]
    if unknown:
        raise RosterError(_("the roster {path} has unknown column(s) {unknown}; "
                            "the columns are {column!r} and any of {fields}").format(
            path=path, unknown=", ".join(map(repr, unknown)), column=SUBMISSION, fields=", ".join(FIELDS)))
    if SUBMISSION not in header:
        raise RosterError(_("the roster {path} has no {column!r} column (the id of each student's submission)").format(
            path=path, column=SUBMISSION))
    if len(set(header)) != len(header):
        raise RosterError(_("the roster {path} names a column twice").format(path=path))
    entries = []
    for row in table[1:]:
        cells = {name: row[i] if i < len(row) else "" for i, name in named}
        # The submission cell is kept as it is: it must equal a file name, blanks and all.
        entries.append({name: cell if name == SUBMISSION else cell.strip() for name, cell in cells.items()})
    return entries


def match(ids: list, roster, keys: tuple) -> Match:
    """The LMS identity of each of `ids` (sorted submission ids), from `roster` (None: no roster).

    `keys` are the FIELDS by which the LMS finds a student; an entry with none of them cannot
    be imported and is left out with a line, like the three roster problems.
    """
    if roster is None:
        return Match({sid: {SUBMISSION: sid, "username": sid} for sid in ids})
    found, problems, known = {}, [], set(ids)
    by_submission = {}
    for entry in roster:
        by_submission.setdefault(entry[SUBMISSION], []).append(entry)
    for sid, entries in sorted(by_submission.items()):
        if not sid:
            problems.append(_("roster: {rows} row(s) with an empty {column!r} cell; left out").format(
                rows=len(entries), column=SUBMISSION))
        elif len(entries) > 1:
            problems.append(_("roster: submission {sid!r} is on {rows} rows; left out (keep one row)").format(
                sid=sid, rows=len(entries)))
        elif sid not in known:
            problems.append(_("roster: {sid!r} has no submission in the gradebook; left out").format(sid=sid))
    for sid in ids:
        entries = by_submission.get(sid, [])
        if not entries:
            problems.append(_("roster: submission {sid!r} has no roster entry; left out").format(sid=sid))
        elif len(entries) == 1:
            found[sid] = entries[0]
    # Two submissions that the LMS would take for the same student: neither can be trusted.
    claims = {}
    for sid, person in found.items():
        for key in keys:
            if person.get(key):
                claims.setdefault((key, person[key]), []).append(sid)
    for (key, value), sids in sorted(claims.items()):
        if len(sids) > 1:
            problems.append(_("roster: submissions {sids} have the same {key} {value!r}; left out").format(
                sids=", ".join(map(repr, sids)), key=key, value=value))
            for sid in sids:
                found.pop(sid, None)
    for sid in sorted(found):
        if not any(found[sid].get(key) for key in keys):
            problems.append(_("roster: {sid!r} has none of {keys}, which this LMS needs; left out").format(
                sid=sid, keys=", ".join(keys)))
            del found[sid]
    return Match(found, problems)
