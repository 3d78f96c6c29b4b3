"""`grader batch` and `grader merge`: grade a whole class, in parallel, resumably, in shards.

``grader batch SUBMISSIONS --out DIR`` grades every entry of SUBMISSIONS (a ``.py`` file, a
``.ipynb`` notebook or a folder per student; the student id is the entry's name without
``.py``/``.ipynb``; hidden entries are ignored) and writes::

    DIR/<id>/report.json      the full report and its status (written last: its presence means "done")
    DIR/<id>/feedback.md      the same, readable, to hand back
    DIR/<id>/feedback.html    the same as a web page, linked from summary.html
    DIR/gradebook.csv         id, status, one column per op, total; a row of maxima first
    DIR/gradebook.json        the same rows, plus what the summary and `grader merge` need
    DIR/summary.html          statuses, scores, per-op and per-property pass rates, frequent
                              mistakes by misconception, the students (+ summary-*.png)
    DIR/.bank.npz             the example bank with its expected values (reused by reruns)

Every file is written atomically, so killing the batch at any moment (even SIGKILL) leaves
each student either finished or not started; ``--resume`` then skips every student whose
report.json parses and grades the rest. A submission that cannot be read, does not compile or
crashes its grader gets a zero report saying why; nothing a submission does stops the batch.

``--shard i/n`` grades a deterministic part of the class: the ids are sorted (by code point)
and shard i takes the ids at 0-based positions p with ``p % n == i - 1``. Run one shard per job
(a Slurm array, a Kubernetes indexed Job, a CI matrix), each with its own ``--out``, then
``grader merge SHARD_DIR... --out DIR`` joins them; the result is identical to one batch.
"""

import contextlib
import json
import os
import re
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..atomic import remove_temporaries, write_atomic
from ..errors import UsageError
from ..i18n import _
from ..render.escape import terminal
from .gradebook import CSV_NAME, JSON_NAME, MAX_ROW, Gradebook, GradebookError, columns_for, merge, \
    properties_for, read_gradebook, report_fits, row_from_report, write_gradebook
from .summary import HTML_NAME, PLOTS, write_summary

BANK_NAME = ".bank.npz"
CAPSTONE = "capstone"   # the rubric's part beside the ops (grader/ops/capstone/: KEY)
REPORT_NAME, FEEDBACK_NAME, FEEDBACK_PAGE = "report.json", "feedback.md", "feedback.html"
STUDENT_FILES = (FEEDBACK_NAME, FEEDBACK_PAGE, REPORT_NAME)  # report.json last: it means "done"
RESERVED = {CSV_NAME, JSON_NAME, HTML_NAME, *PLOTS.values(), MAX_ROW}  # names a student id must not take
SUFFIXES = (".py", ".ipynb")


# --------------------------------------------------------------------------- what to grade

def student_id(entry: Path) -> str:
    return entry.stem if entry.is_file() and entry.suffix in SUFFIXES else entry.name


def list_submissions(folder: Path, out: Path) -> list:
    """[(student id, path)] sorted by id: one per visible entry of `folder`, except `out` itself."""
    if not folder.is_dir():
        raise UsageError((_("no such folder: {folder}") if not folder.exists() else
                          _("not a folder: {folder}")).format(folder=folder))
    entries = {}
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.resolve() == out.resolve():
            continue
        sid = student_id(entry)
        if sid in entries:
            raise UsageError(_("{first} and {second} in {folder} are both student {sid!r}; rename one").format(
                first=entries[sid].name, second=entry.name, folder=folder, sid=sid))
        if sid in RESERVED:
            raise UsageError(_("{entry} would overwrite the batch's own {sid}; rename it").format(entry=entry, sid=sid))
        entries[sid] = entry
    if not entries:
        raise UsageError(_("{folder} holds no submissions (one .py, .ipynb or folder per student)").format(
            folder=folder))
    return sorted(entries.items())


def parse_shard(text: str) -> tuple:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageError(_("--shard must be i/n with 1 <= i <= n, e.g. --shard 2/4, or auto[/n] (got {text!r})").format(
            text=text))
    return int(match[1]), int(match[2])


def shard_of(entries: list, index: int, count: int) -> list:
    """Shard `index` (1-based) of `count`: the entries at positions p with p % count == index - 1."""
    return [entry for position, entry in enumerate(entries) if position % count == index - 1]


# --------------------------------------------------------------------------- per-student files

def finished_report(out: Path, sid: str, columns: list):
    """The student's report.json if it is complete and fits this rubric, else None."""
    try:
        report = json.loads((out / sid / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if report_fits(report, columns) else None


def write_student(out: Path, sid: str, report: dict, drawn: bytes = b"") -> None:
    """The student's files; `drawn` is the capstone's loss plot when a grading process drew it
    (pool.py), else it is drawn here."""
    from ..render.html import feedback_html
    from ..render.markdown import feedback_markdown

    folder = out / sid
    folder.mkdir(exist_ok=True)
    markdown = feedback_markdown(sid, report)
    if "capstone" in report:   # its section, and its loss plot beside feedback.md (none without a curve)
        from ..render.capstone import PLOT_NAME, loss_png, markdown_section

        plot = PLOT_NAME if report["capstone"]["curve"] else None
        if plot:
            write_atomic(folder / PLOT_NAME, drawn or loss_png(report["capstone"]))
        markdown = markdown.rstrip("\n") + "\n\n" + markdown_section(report["capstone"], plot)
    write_atomic(folder / FEEDBACK_NAME, markdown)
    write_atomic(folder / FEEDBACK_PAGE, feedback_html(sid, report))
    # Last, so a report.json on disk always has its feedback files beside it.
    write_atomic(folder / REPORT_NAME, json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def with_capstone(row, report: dict, points: dict):
    """The gradebook row with its capstone column (0 without a graph.py), in the total, and its failed
    capstone checks for the summary, when the rubric grades the capstone (grader/ops/capstone/)."""
    if not points:
        return row
    part = report["capstone"]   # every report has it when the class is graded on it (_batch)
    row.ops[CAPSTONE] = float(part["score"])
    row.score += float(part["score"])
    row.max_score += float(sum(points.values()))
    row.failures += [{"op": CAPSTONE, "check": check["name"], "kind": check.get("kind", ""),
                      "mistake": check.get("mistake", ""), "diagnosis": check.get("diagnosis", ""),
                      "reason": check.get("reason", "")} for check in part["checks"] if not check["passed"]]
    return row


# --------------------------------------------------------------------------- grader batch

def _progress(console: Console):
    # Imported here: `grader grade` loads this module for its parser only (0.015 s saved).
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    # auto_refresh=False: no refresh thread, so forking grading processes stays safe; the
    # scheduler refreshes it a few times a second instead.
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=console, auto_refresh=False)


def _grade(todo: list, out: Path, rubric, args, reports: dict, total: int, err: Console) -> list:
    """Grade `todo` in parallel, writing each student's files and adding to `reports`.

    Returns [(id, problem)] for the submissions that got a zero report for want of a grade.
    """
    from ..core.context import CACHE, GradingContext
    from ..ops import registry
    from .pool import Context, grade_in_processes

    # A plain line, not a spinner: building the bank forks, and a spinner is a thread.
    err.print(_("Preparing the example bank (cached in the output folder)"))
    course = registry.of_contract(rubric.contract)
    context = Context(GradingContext.hidden(course, rubric, out / BANK_NAME, CACHE, jobs=args.jobs))
    problems = []
    with _progress(err) as progress:
        task = progress.add_task(_("grading"), total=total, completed=len(reports))

        def tick(running):
            names = ", ".join(running[:3]) + (", ..." if len(running) > 3 else "")
            progress.update(task, description=_("grading {names}").format(names=escape(terminal(names))) if names
                            else _("grading"))
            progress.refresh()

        results = grade_in_processes(todo, context, args.jobs, args.in_process, not args.no_shrink,
                                     args.timeout, tick, plots=True)
        with contextlib.closing(results):
            for sid, report, problem, plot in results:
                write_student(out, sid, report, plot)
                reports[sid] = report
                if problem:
                    problems.append((sid, problem))
                progress.advance(task)
        progress.update(task, description=_("graded"))
        progress.refresh()
    return problems


def _batch(args) -> int:
    from ..ops import registry
    from .shards import is_auto, shard_from_environment

    if args.jobs < 1:
        raise UsageError(_("-j must be at least 1 (got {jobs})").format(jobs=args.jobs))
    if not args.timeout > 0:
        raise UsageError(_("--timeout must be a positive number of seconds (got {timeout:g})").format(timeout=args.timeout))
    shard = None if args.shard is None else \
        shard_from_environment(args.shard, os.environ) if is_auto(args.shard) else parse_shard(args.shard)
    rubric = registry.select(args.course).rubric(args.rubric)
    folder, out = Path(args.submissions), Path(args.out)
    entries = list_submissions(folder, out)
    selected = shard_of(entries, *shard) if shard else entries
    if out.exists() and not out.is_dir():
        raise UsageError(_("--out {out} is a file; give a folder").format(out=out))
    out.mkdir(parents=True, exist_ok=True)
    remove_temporaries(out)

    columns = columns_for(rubric)
    reports = {}
    if args.resume:
        reports = {sid: report for sid, _path in selected if (report := finished_report(out, sid, columns))}
    todo = [(sid, path) for sid, path in selected if sid not in reports]
    for sid, _path in selected:
        if (out / sid).is_dir():
            remove_temporaries(out / sid)

    console, err = Console(highlight=False), Console(stderr=True, highlight=False)
    started = time.monotonic()
    problems = _grade(todo, out, rubric, args, reports, len(selected), err) if todo else []

    shard_info = {"index": shard[0], "count": shard[1], "students": len(entries)} if shard else None
    # The capstone's column when the rubric grades it and the class (every shard's entries alike)
    # handed in a graph.py: a class of ops.py files alone keeps the gradebook it always had.
    from ..ops.capstone.session import graph_file

    capstone = rubric.parts.get(CAPSTONE, {}) if any(graph_file(path) for _sid, path in entries) else {}
    if capstone:
        # A student who handed in no graph.py (or whose report predates it): their report.json and
        # feedback say the capstone scored 0 and why, as the gradebook counts it (not 100/100 there
        # and 100/120 here).
        from ..ops.capstone.session import grade_part, read_graph
        from ..render.capstone import to_json, with_part

        for sid, path in selected:
            if "capstone" not in reports[sid]:
                part = {**to_json(grade_part(None, rubric, read_graph(path))), "handed_in": False}
                reports[sid] = with_part(reports[sid], part)
                write_student(out, sid, reports[sid])
    gradebook = Gradebook(columns + ([[CAPSTONE, float(sum(capstone.values()))]] if capstone else []),
                          [with_capstone(row_from_report(sid, reports[sid]), reports[sid], capstone)
                           for sid, _path in selected], shard_info,
                          properties_for(rubric) + [[CAPSTONE, name, float(value)] for name, value in capstone.items()])
    write_gradebook(gradebook, out)
    summary = write_summary(gradebook, out)

    skipped = _(" ({done} already done)").format(done=len(selected) - len(todo)) if args.resume else ""
    console.print(_("Graded {graded} of {total} submissions{skipped} in {seconds:.1f} s.").format(
        graded=len(todo), total=len(selected), skipped=skipped, seconds=time.monotonic() - started))
    for sid, problem in problems:
        console.print(_("[yellow]warning:[/] {sid}: {problem}; it scored 0").format(
            sid=escape(terminal(sid)), problem=escape(terminal(problem))))
    console.print(_where_written(out, summary))
    return 0


def _where_written(out: Path, summary) -> str:
    """The two lines that end a batch and a merge: where the gradebook and the summary are."""
    return _("Gradebook: {gradebook}\nSummary:   {summary}").format(gradebook=escape(terminal(out / CSV_NAME)),
                                                                  summary=escape(terminal(summary)))


# --------------------------------------------------------------------------- grader merge

def _merge(args) -> int:
    out, sources = Path(args.out), [Path(folder) for folder in args.folders]
    try:
        books = [read_gradebook(folder) for folder in sources]
        merged = merge(books, [str(folder) for folder in sources])
    except GradebookError as error:
        raise UsageError(str(error)) from None
    out.mkdir(parents=True, exist_ok=True)
    remove_temporaries(out)
    for book, source in zip(books, sources):
        if source.resolve() == out.resolve():
            continue
        for row in book.rows:
            (out / row.id).mkdir(exist_ok=True)
            for name in STUDENT_FILES:
                try:
                    data = (source / row.id / name).read_bytes()
                except OSError:
                    raise UsageError(_("{path} is missing; rerun that batch with --resume").format(
                        path=source / row.id / name)) from None
                write_atomic(out / row.id / name, data)
    write_gradebook(merged, out)
    summary = write_summary(merged, out)
    Console(highlight=False).print(_("Merged {students} students from {folders} folders.").format(
        students=len(merged.rows), folders=len(sources)) + "\n" + _where_written(out, summary))
    return 0


def add_command(commands) -> None:
    from ..ops import registry

    batch = commands.add_parser(
        "batch", help=_("grade a folder of submissions in parallel: gradebook, feedback files, summary"),
        description=_("Grade every submission in SUBMISSIONS (one .py, .ipynb or folder per student; the id is "
                      "the entry's name). Shard i of n takes the ids, sorted, at positions p with p % n == i-1."))
    batch.add_argument("submissions", metavar="SUBMISSIONS", help=_("folder with one entry per student"))
    batch.add_argument("--out", required=True, metavar="DIR", help=_("where reports, gradebook and summary go"))
    batch.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help=_("submissions graded in parallel (default: the number of cores)"))
    batch.add_argument("--shard", metavar="i/n|auto[/n]",
                       help=_("grade only shard i of n (join shards with `grader merge`); auto reads i and n from a "
                              "Kubernetes Indexed Job, a Slurm array or GRADER_SHARD_INDEX/COUNT (docs/scale.md)"))
    batch.add_argument("--resume", action="store_true",
                       help=_("skip students whose report.json is already complete (after an interrupted run)"))
    batch.add_argument("--rubric", metavar="TOML", help=_("rubric file (default: the kit's grader/core/rubric.toml)"))
    registry.add_course_argument(batch)
    batch.add_argument("--timeout", type=float, default=600.0, metavar="S",
                       help=_("stop grading one submission after S seconds and give it 0 (default 600)"))
    batch.add_argument("--no-shrink", action="store_true",
                       help=_("report the first failing example instead of shrinking it (faster)"))
    batch.add_argument("--in-process", action="store_true",
                       help=_("DEBUGGING ONLY: run students' code inside the grading processes, with no isolation "
                              "(a submission could change its own grade)"))
    batch.set_defaults(run=_batch)

    merge_parser = commands.add_parser("merge", help=_("join the output folders of `grader batch --shard` runs"))
    merge_parser.add_argument("folders", nargs="+", metavar="DIR", help=_("the --out folder of each shard"))
    merge_parser.add_argument("--out", required=True, metavar="DIR", help=_("where the joined results go"))
    merge_parser.set_defaults(run=_merge)
