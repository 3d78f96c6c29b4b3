"""`grader export GRADED_DIR --format canvas|moodle|blackboard|csv`: the grades, as the LMS imports them.

Reads the ``gradebook.json`` that `grader batch` (or `grader merge`) wrote in GRADED_DIR and
writes the import file of the chosen LMS (grader/instructor/lms/formats.py) to ``--out FILE`` or to
standard output. ``--roster ROSTER.csv`` maps submission ids to LMS identities
(grader/instructor/lms/roster.py); each roster problem is one ``grader: warning:`` line on standard error,
and the file still holds every student that could be matched. ``--per-op`` gives one column per
op instead of the total; ``--title`` names the assignment (default "Backprop homework").

Bad input (no gradebook, a shard's gradebook, an unreadable roster, an unknown format) is one
line on standard error and exit 2, and nothing is written. Roster problems are warnings: exit 0.
"""

import sys
from pathlib import Path

from ..atomic import write_atomic
from ..errors import UsageError
from ..i18n import _
from ..render.escape import terminal
from .gradebook import GradebookError, read_gradebook
from .lms.formats import FORMATS, export_text, title_problem
from .lms.roster import RosterError, match, read_roster

DEFAULT_TITLE = "Backprop homework"


def _export(args) -> int:
    fmt = FORMATS.get(args.format)
    if fmt is None:
        raise UsageError(_("--format must be one of {formats} (got {format!r})").format(formats=", ".join(FORMATS),
                                                                                  format=args.format))
    if (problem := title_problem(fmt, args.title)) is not None:
        raise UsageError(problem)
    out = Path(args.out) if args.out else None
    if out is not None and out.is_dir():
        raise UsageError(_("--out {out} is a folder; give the file to write").format(out=out))
    if out is not None and not out.parent.is_dir():
        raise UsageError(_("--out {out}: there is no folder {folder}").format(out=out, folder=out.parent))
    try:
        gradebook = read_gradebook(args.graded)
        roster = read_roster(args.roster) if args.roster else None
    except (GradebookError, RosterError) as error:
        raise UsageError(str(error)) from None
    if gradebook.shard:
        shard = gradebook.shard
        raise UsageError(_("{folder} holds shard {index}/{count} only; "
                           "`grader merge` the shards and export the merged folder").format(
            folder=args.graded, index=shard["index"], count=shard["count"]))

    matched = match([row.id for row in gradebook.rows], roster, fmt.keys)
    text = export_text(gradebook, fmt, matched.people, args.title, args.per_op, roster is not None)
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)   # first: if it fails, its error is the only line
        print(_("Wrote {written} of {students} students to {out} ({format})").format(
            written=len(matched.people), students=len(gradebook.rows), out=terminal(out), format=fmt.name))
    sys.stdout.flush()
    for problem in matched.problems:
        print(_("grader: warning: {problem}").format(problem=terminal(problem)), file=sys.stderr)
    return 0


def add_command(commands) -> None:
    export = commands.add_parser(
        "export", help=_("write a batch's grades as an LMS imports them (Canvas, Moodle, Blackboard, CSV)"),
        description=_("Write the grades of GRADED_DIR (the --out folder of `grader batch` or `grader merge`) in "
                      "the grade import format of an LMS. See docs/lms.md."))
    export.add_argument("graded", metavar="GRADED_DIR", help=_("folder holding gradebook.json"))
    export.add_argument("--format", required=True, metavar="|".join(FORMATS),
                        help=_("the LMS whose import file to write, or csv for a plain table"))
    export.add_argument("--roster", metavar="ROSTER.csv",
                        help=_("CSV mapping each submission id (column 'submission') to LMS identities "
                               "(name, email, idnumber, username, lms_id, section); without it, ids are usernames"))
    export.add_argument("--per-op", action="store_true", help=_("one column per op instead of the total"))
    export.add_argument("--title", default=DEFAULT_TITLE,
                        help=_("the assignment's title in the LMS (default {title!r}); Canvas matches "
                               "an existing assignment by a title ending in '(id)', Blackboard by one ending in "
                               "'|id'").format(title=DEFAULT_TITLE))
    export.add_argument("--out", metavar="FILE", help=_("write the file here (default: standard output)"))
    export.set_defaults(run=_export)
