"""`grader gradescope build|run`, `grader prairielearn run`, `grader coursera run`, `grader bank`.

``run`` is what a platform's container executes for one submission: it reads the platform's
submission folder under its root (GRADESCOPE_ROOT, PRAIRIELEARN_ROOT, COURSERA_ROOT; defaults
/autograder, /grade, /shared) and writes the platform's results file there. It exits 0 whatever
the score; only a grader failure exits non-zero (after writing a results file that says so).
``run --bank NPZ`` grades with the example bank an image ships (`grader bank NPZ` draws it at build
time; the Gradescope bundle carries one), so a fresh container does not draw it again.
"""

from ..i18n import _


def _grading(args):
    from . import Grading

    return Grading.load(args.rubric, args.bank, args.course)


def _bank(args) -> int:
    """Draw the example bank into OUT once (an image build), unless OUT already holds the current one."""
    import os

    from ..core.bankfile import load_bank
    from ..core.context import CACHE, GradingContext
    from ..ops import registry

    course = registry.select(args.course)
    in_memory = GradingContext.hidden(course, course.rubric(args.rubric))  # draws nothing until asked
    current = load_bank(args.out, in_memory.oracle, in_memory.rubric, in_memory.key) is not None
    if not current:
        GradingContext.hidden(course, in_memory.rubric, args.out, CACHE, jobs=os.cpu_count() or 1)
    print((_("{path}: current, kept (pass it to `run --bank`)") if current else
           _("{path}: drawn (pass it to `run --bank`)")).format(path=args.out))
    return 0


def _gradescope_build(args) -> int:
    from . import gradescope

    names = gradescope.build(args.out, args.visibility, args.rubric, args.course)
    print(_("wrote {path} ({files} files; checks shown to students: {visibility}). "
            "Upload it on the assignment's Configure Autograder page.").format(
        path=args.out, files=len(names), visibility=args.visibility))
    return 0


def _gradescope_run(args) -> int:
    from . import gradescope

    visibility = gradescope.read_config(args.config)
    root = gradescope.root()
    data = gradescope.run(root, _grading(args), visibility)
    print(_("{path}: score {score:g}").format(path=f"{root}/results/results.json", score=data["score"]))
    return 0


def _prairielearn_run(args) -> int:
    from . import prairielearn

    root = prairielearn.root()
    data = prairielearn.run(root, _grading(args))
    print((_("{path}: score {score:.4g}") if data["gradable"] else _("{path}: not gradable")).format(
        path=f"{root}/results/results.json", score=data.get("score", 0)))
    return 0


def _coursera_run(args) -> int:
    from . import coursera

    root = coursera.root()
    data = coursera.run(root, _grading(args))
    print(_("{path}: fractionalScore {score:.4g}").format(path=f"{root}/feedback.json", score=data["fractionalScore"]))
    return 0


def _run_parser(actions, help_text, run):
    from ..ops import registry

    parser = actions.add_parser("run", help=help_text)
    parser.add_argument("--rubric", metavar="TOML", help=_("rubric file (default: the kit's grader/core/rubric.toml)"))
    parser.add_argument("--bank", metavar="NPZ", help=_("the example bank the image ships (`grader bank`); "
                                                        "drawn for this run if missing or stale"))
    registry.add_course_argument(parser)
    parser.set_defaults(run=run)
    return parser


def add_command(commands) -> None:
    from ..ops import registry
    from .gradescope import VISIBILITIES

    bank = commands.add_parser("bank", help=_("draw the example bank a platform image ships (once, at build time)"))
    bank.add_argument("out", metavar="OUT.npz", help=_("where to write it; kept if it already holds the current bank"))
    bank.add_argument("--rubric", metavar="TOML", help=_("rubric to draw for (default: the kit's grader/core/rubric.toml)"))
    registry.add_course_argument(bank)
    bank.set_defaults(run=_bank)

    gradescope = commands.add_parser("gradescope", help=_("Gradescope: build the autograder zip, or grade in its container"))
    actions = gradescope.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help=_("write the autograder zip to upload on Gradescope"))
    build.add_argument("out", metavar="OUT.zip")
    build.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                       help=_("when students see each check and their score (default: visible)"))
    build.add_argument("--rubric", metavar="TOML", help=_("rubric to grade with (default: the kit's grader/core/rubric.toml)"))
    registry.add_course_argument(build)
    build.set_defaults(run=_gradescope_build)
    run = _run_parser(actions, _("grade $GRADESCOPE_ROOT/submission (default /autograder) into results/results.json"),
                      _gradescope_run)
    run.add_argument("--config", metavar="JSON", help=_("the bundle's gradescope.json (visibility)"))

    prairielearn = commands.add_parser("prairielearn", help=_("PrairieLearn external grader"))
    _run_parser(prairielearn.add_subparsers(dest="action", required=True, metavar="ACTION"),
                _("grade $PRAIRIELEARN_ROOT/student (default /grade) into results/results.json"), _prairielearn_run)

    coursera = commands.add_parser("coursera", help=_("Coursera custom grader"))
    _run_parser(coursera.add_subparsers(dest="action", required=True, metavar="ACTION"),
                _("grade $COURSERA_ROOT/submission (default /shared) into feedback.json"), _coursera_run)
