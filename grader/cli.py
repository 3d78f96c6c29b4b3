"""Command line: ``grader grade SUBMISSION [--json OUT]`` and friends.

Every failure the user can cause (a missing path, a bad rubric, an unwritable output) ends
in one line on stderr and a non-zero exit; grading itself always exits 0, whatever the score.
"""

import argparse
import os
import sys

from rich.console import Console

from . import __version__


def _grade(args) -> int:
    from .bank import Bank
    from .grade import grade
    from .oracles import Reference
    from .paths import load_trusted, solutions_path
    from .report import render_feedback, render_table, write_json
    from .rubric import load_rubric
    from .runners import InProcessRunner
    from .submission import read_submission

    submission = read_submission(args.submission)
    rubric = load_rubric(args.rubric)
    oracle = Reference(load_trusted(solutions_path(), "backprop_reference"))
    runner = InProcessRunner(submission.source, submission.filename)
    report = grade(str(args.submission), runner, oracle, rubric, Bank(oracle, rubric), shrink=not args.no_shrink)
    console = Console(highlight=False)
    render_table(report, console)
    if not args.quiet:
        render_feedback(report, console)
    if args.json:
        write_json(report, args.json)
    return 0


def _properties(args) -> int:
    from .rubric import load_rubric

    rubric = load_rubric(args.rubric)
    console = Console(highlight=False)
    for op_key in rubric.points:
        for prop, points in rubric.graded(op_key):
            console.print(f"{prop.id:32} {points:>4g}  {prop.doc}")
    console.print(f"{'total':32} {rubric.max_score:>4g}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade backprop homework submissions.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = commands.add_parser("grade", help="grade one submission against the hidden reference")
    grade.add_argument("submission", help="an ops.py, a folder holding ops.py or backprop/ops.py, or a .ipynb")
    grade.add_argument("--json", metavar="OUT", help="also write the report as JSON to OUT")
    grade.add_argument("--rubric", metavar="TOML", help="rubric file (default: the kit's grader/rubric.toml)")
    grade.add_argument("--no-shrink", action="store_true",
                       help="report the first failing example instead of shrinking it (faster)")
    grade.add_argument("-q", "--quiet", action="store_true", help="print only the table")
    grade.set_defaults(run=_grade)

    props = commands.add_parser("properties", help="list the graded properties and their points")
    props.add_argument("--rubric", metavar="TOML")
    props.set_defaults(run=_properties)
    return parser


def main(argv=None) -> int:
    from .rubric import RubricError
    from .submission import SubmissionError

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (SubmissionError, RubricError) as error:
        print(f"grader: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"grader: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - a grader bug must still end in one line
        if os.environ.get("GRADER_DEBUG"):
            raise
        print(f"grader: internal error ({type(error).__name__}: {error}); "
              "rerun with GRADER_DEBUG=1 for the traceback and report it", file=sys.stderr)
        return 3
