"""`grader gradescope build|run`, `grader prairielearn run`, `grader coursera run`, `grader bank`.

``run`` is what a platform's container executes for one submission: it reads the platform's
submission folder under its root (GRADESCOPE_ROOT, PRAIRIELEARN_ROOT, COURSERA_ROOT; defaults
/autograder, /grade, /shared) and writes the platform's results file there. It exits 0 whatever
the score; only a grader failure exits non-zero (after writing a results file that says so).
``run --bank NPZ`` grades with the example bank an image ships (`grader bank NPZ` draws it at build
time; the Gradescope bundle carries one), so a fresh container does not draw it again.
"""


def _grading(args):
    from . import Grading

    return Grading.load(args.rubric, args.bank, args.course)


def _bank(args) -> int:
    """Draw the example bank into OUT once (an image build), unless OUT already holds the current one."""
    import os

    from ..core.bankfile import bank_key, cached_bank, load_bank
    from ..core.oracles import Reference
    from ..ops import registry

    course = registry.select(args.course)
    rubric = course.rubric(args.rubric)
    oracle = Reference(course.reference())
    current = load_bank(args.out, oracle, rubric, bank_key(oracle, rubric)) is not None
    if not current:
        cached_bank(args.out, oracle, rubric, jobs=os.cpu_count() or 1)
    print(f"{args.out}: {'current, kept' if current else 'drawn'} (pass it to `run --bank`)")
    return 0


def _gradescope_build(args) -> int:
    from . import gradescope

    names = gradescope.build(args.out, args.visibility, args.rubric, args.course)
    print(f"wrote {args.out} ({len(names)} files; checks shown to students: {args.visibility}). "
          "Upload it on the assignment's Configure Autograder page.")
    return 0


def _gradescope_run(args) -> int:
    from . import gradescope

    visibility = gradescope.read_config(args.config)
    root = gradescope.root()
    data = gradescope.run(root, _grading(args), visibility)
    print(f"{root}/results/results.json: score {data['score']:g}")
    return 0


def _prairielearn_run(args) -> int:
    from . import prairielearn

    root = prairielearn.root()
    data = prairielearn.run(root, _grading(args))
    print(f"{root}/results/results.json: " + (f"score {data['score']:.4g}" if data["gradable"] else "not gradable"))
    return 0


def _coursera_run(args) -> int:
    from . import coursera

    root = coursera.root()
    data = coursera.run(root, _grading(args))
    print(f"{root}/feedback.json: fractionalScore {data['fractionalScore']:.4g}")
    return 0


def _run_parser(actions, help_text, run):
    from ..ops import registry

    parser = actions.add_parser("run", help=help_text)
    parser.add_argument("--rubric", metavar="TOML", help="rubric file (default: the kit's grader/core/rubric.toml)")
    parser.add_argument("--bank", metavar="NPZ", help="the example bank the image ships (`grader bank`); "
                                                      "drawn for this run if missing or stale")
    registry.add_course_argument(parser)
    parser.set_defaults(run=run)
    return parser


def add_command(commands) -> None:
    from ..ops import registry
    from .gradescope import VISIBILITIES

    bank = commands.add_parser("bank", help="draw the example bank a platform image ships (once, at build time)")
    bank.add_argument("out", metavar="OUT.npz", help="where to write it; kept if it already holds the current bank")
    bank.add_argument("--rubric", metavar="TOML", help="rubric to draw for (default: the kit's grader/core/rubric.toml)")
    registry.add_course_argument(bank)
    bank.set_defaults(run=_bank)

    gradescope = commands.add_parser("gradescope", help="Gradescope: build the autograder zip, or grade in its container")
    actions = gradescope.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="write the autograder zip to upload on Gradescope")
    build.add_argument("out", metavar="OUT.zip")
    build.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                       help="when students see each check and their score (default: visible)")
    build.add_argument("--rubric", metavar="TOML", help="rubric to grade with (default: the kit's grader/core/rubric.toml)")
    registry.add_course_argument(build)
    build.set_defaults(run=_gradescope_build)
    run = _run_parser(actions, "grade $GRADESCOPE_ROOT/submission (default /autograder) into results/results.json",
                      _gradescope_run)
    run.add_argument("--config", metavar="JSON", help="the bundle's gradescope.json (visibility)")

    prairielearn = commands.add_parser("prairielearn", help="PrairieLearn external grader")
    _run_parser(prairielearn.add_subparsers(dest="action", required=True, metavar="ACTION"),
                "grade $PRAIRIELEARN_ROOT/student (default /grade) into results/results.json", _prairielearn_run)

    coursera = commands.add_parser("coursera", help="Coursera custom grader")
    _run_parser(coursera.add_subparsers(dest="action", required=True, metavar="ACTION"),
                "grade $COURSERA_ROOT/submission (default /shared) into feedback.json", _coursera_run)
