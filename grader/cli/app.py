"""Command line: ``grader COMMAND ...``.

Each command lives in its own module, which exposes ``add_command(commands)`` (argparse
subparsers) and sets ``run`` on its parser. Every failure the user can cause (a missing path, a
bad rubric, an unwritable output) ends in one line on stderr and exit 2; grading itself exits 0
whatever the score. A bug in the grader ends in one line too, with how to see the traceback.
In the students' copy, `grader grade` is not listed and answers with one line pointing to
`grader check`.
"""

import argparse
import importlib
import os
import sys
from pathlib import Path

try:
    from ..sandbox.launchers import THREAD_VARIABLES
except ModuleNotFoundError:  # the students' copy has no sandbox, and its checks start no worker
    THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS",)

# One BLAS thread in the grader's own processes, as in its sandbox workers, unless the user asked
# for more: the grader's arrays are small, and OpenBLAS starts a thread per core when NumPy is
# imported (0.14 s of CPU on 2 cores, taken from the worker starting beside it). Read once, at
# NumPy's first import, which comes after this line: nothing above imports it.
for _variable in THREAD_VARIABLES:
    os.environ.setdefault(_variable, "1")

from .. import __version__
from ..errors import UsageError
from .. import i18n
from ..i18n import N_, _

# The modules that contribute commands, in the order `grader --help` lists them.
COMMAND_MODULES = ["grader.cli.commands", "grader.cli.capstone", "grader.instructor.release", "grader.instructor.batch", "grader.instructor.export",
                   "grader.nbgrader.command", "grader.platforms.command",
                   "grader.instructor.integrity.command",
                   "grader.instructor.strength.command"]

# The commands someone waits on once per submission, and the module that adds each: imported
# first, alone (an entry that is wrong only costs the import of the modules before the right one).
WAITED_ON = {"grade": "grader.cli.commands", "check": "grader.cli.commands",
             "gradescope": "grader.platforms.command", "prairielearn": "grader.platforms.command",
             "coursera": "grader.platforms.command"}

# In the students' copy of the package (grader/instructor/release.py writes given_ops.py into it) these
# commands need what only the instructor has, the hidden reference: unlisted, and one line.
INSTRUCTOR_ONLY = {"grade": N_("`grader grade` needs the hidden reference, which only your instructor has: use "
                              "`grader check` to preview your score; the final grade comes from your instructor"),
                  "capstone": N_("`grader capstone` needs the hidden reference, which only your instructor has: "
                                 "`grader check` previews the capstone too, when graph.py sits beside ops.py")}


def is_student_copy() -> bool:
    return (Path(__file__).parent.parent / "given_ops.py").exists()


class _StudentCommands:
    """The subparsers of the students' copy: instructor-only commands are built but never attached."""

    def __init__(self, commands):
        self.commands = commands

    def add_parser(self, name, **kwargs):
        if name in INSTRUCTOR_ONLY:
            return argparse.ArgumentParser(prog=f"grader {name}", add_help=False)
        return self.commands.add_parser(name, **kwargs)


def add_language_argument(parser) -> None:
    parser.add_argument("--lang", metavar="LANG", default=None,
                        help=_("the language of every message and report: {languages} (default: $GRADER_LANG, "
                               "else en)").format(languages=", ".join(i18n.LANGUAGES)))


def _select_language(argv) -> list:
    """Apply --lang (anywhere on the line, before or after the command) and return the rest of
    argv; without it, GRADER_LANG is checked now, so a bad value ends in one line at start."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    add_language_argument(parser)
    known, rest = parser.parse_known_args(argv)
    if known.lang is not None:
        i18n.select(known.lang)
    i18n.check()
    return rest


def build_parser(command: str = None) -> argparse.ArgumentParser:
    """The parser of every command; with `command`, of the modules up to the first that adds it.

    So `grader grade` or `grader gradescope run` imports what grading needs, not the batch's, the
    summary's or the LMS exports' modules (~0.05 s of CPU); a name no module adds gets the full
    parser and its error.
    """
    parser = argparse.ArgumentParser(prog="grader", description=_("Grade backprop homework submissions."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_language_argument(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = _StudentCommands(subparsers) if is_student_copy() else subparsers
    first = [WAITED_ON[command]] if command in WAITED_ON else []
    for name in dict.fromkeys([*first, *COMMAND_MODULES]):
        if command is not None and command in subparsers.choices:
            break
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if not (name == error.name or name.startswith(f"{error.name}.")):
                raise  # a missing dependency inside a module that is there is a real error
            continue  # a trimmed package (the students' release) leaves instructor commands out
        module.add_command(commands)
    return parser


def _say(message) -> None:
    """The one line a failure ends in. It may quote a student's file or folder name: escaped."""
    from ..render.escape import terminal

    print(f"grader: {terminal(message)}", file=sys.stderr)


def _grades_one_in_the_sandbox(argv) -> bool:
    """`grader grade` (not --in-process) and a platform's `run`: one submission, one sandbox worker."""
    if argv[:1] == ["grade"]:
        return "--in-process" not in argv
    return len(argv) > 1 and WAITED_ON.get(argv[0]) == "grader.platforms.command" and argv[1] == "run"


def _start_worker_early(argv):
    """The sandbox's `early` module with a worker already starting, or None: its Python and NumPy
    start while this process imports the grading stack and loads the bank (sandbox/early.py)."""
    if not _grades_one_in_the_sandbox(argv) or is_student_copy():
        return None
    try:
        from ..sandbox import early
    except ImportError:  # a trimmed package without the sandbox's launchers
        return None
    early.start()
    return early


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        argv = _select_language(argv)
    except i18n.LanguageError as error:
        _say(error)
        return 2
    early = _start_worker_early(argv)
    try:
        return _main(argv)
    finally:
        if early is not None:
            early.discard()   # the worker no runner took (the submission could not run, a usage error)


def _main(argv) -> int:
    from ..core.rubric import RubricError
    from ..run.submission import SubmissionError

    try:
        from ..sandbox.users import SandboxError
    except ModuleNotFoundError:  # the students' release has no sandbox
        SandboxError = UsageError
    if argv and argv[0] in INSTRUCTOR_ONLY and is_student_copy():
        _say(_(INSTRUCTOR_ONLY[argv[0]]))
        return 2
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return args.run(args)
    except SandboxError as error:
        _say(_("the sandbox could not run: {error}").format(error=error))
        return 3
    except (UsageError, SubmissionError, RubricError) as error:
        _say(error)
        return 2
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        _say(f"{where}{error.strerror or error}")
        return 2
    except KeyboardInterrupt:
        _say(_("interrupted"))
        return 130
    except Exception as error:  # noqa: BLE001 - a grader bug must still end in one line
        if os.environ.get("GRADER_DEBUG"):
            raise
        _say((_("internal error ({name}: {error}); rerun with GRADER_DEBUG=1 for the traceback and report it")
              .format(name=type(error).__name__, error=error)))
        return 3
