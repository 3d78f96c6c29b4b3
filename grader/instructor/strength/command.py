"""`grader strength [--course DIR] [--rubric FILE] [--op KEY...] [--json OUT] [--html OUT] [-j N]`.

Mutates every graded op's reference ``backward`` (or those of ``--op``): the ops of the course
`registry.select` gives (``--course DIR``, else ``$GRADER_COURSE``, else the kit's), each from its
own reference file (source.py) and with the operators its op module adds. Grades the mutants in
the sandbox with the rubric, and prints per op the mutation score, the survivors with their diff
and the families that would catch them, and the diagnosis coverage. A bad op key, a bad rubric
or an output folder that does not exist: one line, exit 2, before any work.
"""

import os
import time
from pathlib import Path

from ...i18n import _, ngettext


def _output(path):
    if path is None:
        return None
    path = Path(path)
    if path.is_dir():
        from ...errors import UsageError

        raise UsageError(_("{path} is a folder; give a file name").format(path=path))
    if not path.parent.is_dir():
        from ...errors import UsageError

        raise UsageError(_("cannot write {path}: no such folder {folder}").format(path=path, folder=path.parent))
    return path


def _strength(args) -> int:
    from rich.console import Console

    from ...errors import UsageError
    from ...ops import registry
    from .assess import assess, probe_rubric
    from .mutants import mutants_of, unmutable
    from .report import build, render_html, render_terminal, write_json
    from .source import reference_source

    if args.jobs < 1:
        raise UsageError(_("-j must be at least 1 (got {jobs})").format(jobs=args.jobs))
    course = registry.select(args.course)
    rubric = course.rubric(args.rubric)
    known = course.contract.keys
    graded = [key for key in known if rubric.graded(key)]
    op_keys = list(dict.fromkeys(args.op)) if args.op else graded
    if not op_keys:
        raise UsageError(_("the rubric grades no op: nothing could catch a mutant"))
    for key in op_keys:
        if key not in known:
            raise UsageError(_("unknown op {key!r}; known: {known}").format(key=key, known=", ".join(known)))
        if key not in graded:
            raise UsageError(_("the rubric grades no property of {key}: nothing could catch its mutants").format(key=key))
    json_out, html_out = _output(args.json), _output(args.html)
    source = reference_source(course)
    missing = unmutable(source, op_keys, course.contract)
    if missing:
        raise UsageError(_("no reference backward to mutate for {ops}: give each op a reference "
                           "(course.toml: reference = FILE)").format(ops=", ".join(missing)))

    started = time.monotonic()
    err = Console(stderr=True, highlight=False)
    mutants = mutants_of(source, op_keys, course.contract)
    err.print(ngettext("Grading {mutants} mutants of {ops} op in the sandbox",
                       "Grading {mutants} mutants of {ops} ops in the sandbox", len(op_keys)).format(
        mutants=len(mutants), ops=len(op_keys)))
    verdicts = assess(mutants, rubric, args.jobs)
    data = build(verdicts, rubric, op_keys, probe_rubric(rubric, op_keys))
    render_terminal(data, Console(highlight=False))
    if json_out:
        write_json(data, json_out)
    if html_out:
        from ...atomic import write_atomic

        write_atomic(html_out, render_html(data))
    err.print(_("Report in {seconds:.1f} s").format(seconds=time.monotonic() - started))
    return 0


def add_command(commands) -> None:
    from ...ops.registry import add_course_argument

    strength = commands.add_parser(
        "strength", help=_("how strong is the rubric? grade mutants of the reference and report what it misses"),
        description=_("Make plausible mistakes in each op's reference backward (mutants), grade each in the sandbox "
                      "with the rubric, and report per op the mutation score (caught / non-equivalent), the "
                      "survivors with their diff and the property family that would catch them, and the "
                      "diagnosis coverage."))
    add_course_argument(strength)
    strength.add_argument("--rubric", metavar="TOML", help=_("rubric file (default: the kit's grader/core/rubric.toml)"))
    strength.add_argument("--op", nargs="+", metavar="KEY", help=_("only these ops (default: every graded op)"))
    strength.add_argument("--json", metavar="OUT", help=_("also write the report as JSON to OUT"))
    strength.add_argument("--html", metavar="OUT", help=_("also write the report as an HTML page to OUT"))
    strength.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                          help=_("mutants graded in parallel (default: the number of cores)"))
    strength.set_defaults(run=_strength)
