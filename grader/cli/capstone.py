"""The capstone on the command line: what `grader grade` and `grader check` add when a graph.py
sits beside ops.py, and `grader capstone SUBMISSION` (the part alone).

The hidden reference decides the grade (``--public`` uses the public oracle instead, as
``grader check`` does); the student's code runs in the sandbox unless ``--in-process``.
"""

import sys
from pathlib import Path

from rich.console import Console

from ..i18n import _


def show_part(score, console, title: str, json_path=None, feedback_dir=None) -> None:
    """The capstone's tables on `console`; its report under "capstone" in the JSON `json_path`
    (written by the ops' report just before), with the "total" over both parts; feedback.md's capstone section and loss.png in
    `feedback_dir`."""
    import json

    from ..atomic import write_atomic
    from ..render.capstone import render_terminal, to_json, with_part, write_feedback

    render_terminal(score, console, title=title)
    if json_path:
        data = with_part(json.loads(Path(json_path).read_text(encoding="utf-8")), to_json(score))
        write_atomic(json_path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
    if feedback_dir:
        write_feedback(score, Path(feedback_dir), title)


def _run(args) -> int:
    from ..ops import registry
    from ..ops.capstone.session import grade_submission
    from ..render.capstone import render_terminal, write_feedback, write_json
    from ..run.submission import SubmissionError
    from .commands import cache_dir

    rubric = registry.select(args.course).rubric(args.rubric)
    try:
        score = grade_submission(args.submission, rubric, public=args.public, in_process=args.in_process,
                                 private_dirs=(cache_dir(),))
    except SubmissionError as error:
        print(f"grader capstone: {error}", file=sys.stderr)
        return 2
    render_terminal(score, Console(highlight=False), title=_("capstone: {submission}").format(submission=args.submission))
    if args.json:
        write_json(score, args.json)
    if args.feedback:
        write_feedback(score, Path(args.feedback), str(args.submission))
    return 0


def add_command(commands) -> None:
    from ..ops import registry

    capstone = commands.add_parser("capstone", help=_("grade the capstone alone: graph.py (backward, sgd_step) "
                                                      "beside ops.py"))
    capstone.add_argument("submission", help=_("a folder holding ops.py and graph.py (or that ops.py)"))
    capstone.add_argument("--json", metavar="OUT", help=_("also write the capstone's report as JSON to OUT"))
    capstone.add_argument("--feedback", metavar="DIR", help=_("write feedback.md and loss.png into DIR"))
    capstone.add_argument("--rubric", metavar="TOML")
    capstone.add_argument("--public", action="store_true",
                          help=_("use the public oracle (finite differences; no reference), as `grader check`"))
    capstone.add_argument("--in-process", action="store_true",
                          help=_("run the student's code in this process (the student's own machine; debugging)"))
    registry.add_course_argument(capstone)
    capstone.set_defaults(run=_run)
