"""`grader nbgrader init COURSE_DIR`: set up an nbgrader course for the backprop assignment."""

from ..i18n import _


def _init(args) -> int:
    from ..errors import UsageError

    try:
        import nbformat  # noqa: F401 - installed with nbgrader
        import nbgrader  # noqa: F401
    except ImportError:
        raise UsageError(_("nbgrader is not installed here: pip install -r requirements-nbgrader.txt")) from None
    from .course import init_course

    written = init_course(args.course_dir, args.course_id, args.rubric, args.force, args.course)
    config, fresh = written["config"]
    # "kept " is padded to the width of "wrote", so the two paths line up in English.
    print((_("wrote {path}") if fresh else _("kept  {path} (--force rewrites it)")).format(path=config))
    print(_("wrote {path}").format(path=written["notebook"]))
    print(_("next, in {folder}: nbgrader generate_assignment backprop; then, with the "
            "submissions in submitted/<student>/backprop/: nbgrader autograde backprop; "
            "nbgrader generate_feedback backprop; nbgrader export (see docs/nbgrader.md)").format(folder=args.course_dir))
    return 0


def add_command(commands) -> None:
    from ..ops import registry

    nbgrader = commands.add_parser("nbgrader", help=_("nbgrader integration (course setup)"))
    actions = nbgrader.add_subparsers(dest="nbgrader_command", required=True, metavar="ACTION")
    init = actions.add_parser("init", help=_("write nbgrader_config.py and source/backprop/backprop.ipynb "
                                             "into a course directory"))
    init.add_argument("course_dir", metavar="COURSE_DIR", help=_("the course directory (created if missing)"))
    init.add_argument("--course-id", metavar="ID", help=_("nbgrader course id (default: the directory's name)"))
    init.add_argument("--rubric", metavar="TOML", help=_("rubric file (default: the kit's grader/core/rubric.toml); "
                                                         "the notebook's points and the scores come from it"))
    init.add_argument("--force", action="store_true", help=_("also rewrite an existing nbgrader_config.py"))
    registry.add_course_argument(init)
    init.set_defaults(run=_init)
