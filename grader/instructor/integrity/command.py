"""`grader integrity SUBMISSIONS --out DIR`: the integrity report of a class, for review.

SUBMISSIONS holds one entry per student, as for ``grader batch`` (a ``.py``, a ``.ipynb`` or
a folder; the id is the entry's name). Every submission is read and parsed, never run: this
command needs no sandbox and no reference bank. It writes ``DIR/integrity.html`` (similar
``backward`` bodies side by side, flagged lines quoted) and ``DIR/integrity.json`` (the same
facts), and prints one line saying what it found. A submission that cannot be read or parsed is
listed as such; a missing folder is a usage error (one line, exit 2).
"""

from pathlib import Path

from ...i18n import _, ngettext


def _counts(students: int, pairs: int, flags: int, flagged: int) -> dict:
    """The counted phrases of the closing line, each in its singular or plural form."""
    return {"submissions": ngettext("{count} submission", "{count} submissions", students).format(count=students),
            "pairs": ngettext("{count} similar pair", "{count} similar pairs", pairs).format(count=pairs),
            "flags": ngettext("{count} flag", "{count} flags", flags).format(count=flags),
            "flagged": ngettext("{count} submission", "{count} submissions", flagged).format(count=flagged)}


def _integrity(args) -> int:
    from ...atomic import write_atomic
    from ..batch import list_submissions
    from ...errors import UsageError
    from ...render.escape import terminal
    from .report import HTML_NAME, JSON_NAME, build, read_student, to_html, to_json

    try:
        import copydetect  # noqa: F401 - checked first: one line, not a failure half-way
    except ModuleNotFoundError:
        raise UsageError(_("grader integrity needs copydetect: install the kit's pinned requirements "
                           "(pip install -r requirements.txt)")) from None
    folder, out = Path(args.submissions), Path(args.out)
    students = [read_student(name, path) for name, path in list_submissions(folder, out)]
    report = build(students)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / JSON_NAME, to_json(report).encode("utf-8"))
    write_atomic(out / HTML_NAME, to_html(report).encode("utf-8"))
    pairs = sum(len(op["pairs"]) for op in report["ops"])
    flags = sum(len(entry["flags"]) for entry in report["flagged"])
    print(_("integrity: {submissions}, {pairs}, {flags} in {flagged}: {path}").format(
        path=terminal(out / HTML_NAME), **_counts(len(students), pairs, flags, len(report["flagged"]))))
    return 0


def add_command(commands) -> None:
    parser = commands.add_parser(
        "integrity", help=_("an integrity report to review: similar backward bodies, flagged source lines"),
        description=_("Compare every student's backward bodies op by op and flag finite differences, autograd "
                      "libraries, file, environment and network access, all from the source (nothing is run). "
                      "For review, never an automatic penalty."))
    parser.add_argument("submissions", metavar="SUBMISSIONS", help=_("folder with one entry per student"))
    parser.add_argument("--out", required=True, metavar="DIR", help=_("where integrity.html and integrity.json go"))
    parser.set_defaults(run=_integrity)
