"""`grader grade` and `grader properties`: one submission against the hidden reference."""

from rich.cells import cell_len
from rich.console import Console

from ..i18n import _


from ..paths import cache_dir  # where the reference bank is cached: private to student code


def bank_path(oracle, rubric, key: str = ""):
    """The cached bank's file: its name carries the key, so a change never reuses stale values."""
    from ..core.bankfile import bank_key

    return cache_dir() / f"bank-{(key or bank_key(oracle, rubric))[:16]}.npz"


def bank_cache(oracle, rubric):
    """The reference bank, cached per user: built once (~2 s), then loaded (~0.05 s).

    The file name carries the key (grader source, solutions, rubric, library versions), so a
    change builds a new file and never reuses stale expected values.
    """
    import os

    from ..core.context import CACHE, GradingContext

    root = cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:  # no writable cache: drawn in memory, the same examples
        return GradingContext.build(oracle, rubric).bank
    return GradingContext.build(oracle, rubric, bank_path(oracle, rubric), CACHE, jobs=os.cpu_count() or 1).bank


def _bank_and_runner(oracle, rubric, start_runner, sandboxed: bool = True):
    """The bank and a started runner (`start_runner()`), at once where that is safe.

    A cached bank file loads in a thread while the sandbox's worker starts: starting it is mostly
    waiting for the worker's Python and NumPy, so the load (~0.1 s) costs nothing. A bank to draw
    is drawn first, before any worker is configured (an early worker, sandbox/early.py, only waits
    for its configuration), as before: drawing forks. So is an in-process
    runner's: the student's code then loads in this process, never beside another thread.
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..core.bankfile import bank_key, load_bank

    key = bank_key(oracle, rubric)
    path = bank_path(oracle, rubric, key)
    if not sandboxed or not path.is_file():
        return bank_cache(oracle, rubric), start_runner()
    with ThreadPoolExecutor(1, thread_name_prefix="bank") as pool:
        loading = pool.submit(load_bank, path, oracle, rubric, key)
        runner = start_runner()
        try:
            bank = loading.result()
        except BaseException:
            runner.close()
            raise
    if bank is None:  # unreadable or stale after all: draw it with no worker alive, then start one
        runner.close()
        bank = bank_cache(oracle, rubric)
        runner = start_runner()
    return bank, runner


def _grade(args) -> int:
    from ..core.context import GradingContext, hidden_oracle
    from ..ops import registry
    from ..render.terminal import render_feedback, render_table, write_json
    from ..run.factory import make_runner
    from ..run.submission import read_submission

    from ..ops.capstone import session

    course = registry.select(args.course)
    submission = read_submission(args.submission)
    rubric = course.rubric(args.rubric)
    oracle = hidden_oracle(course.reference())
    # A graph.py beside ops.py: the capstone too, in the same runner (grader/ops/capstone/session.py).
    graph = session.read_graph(args.submission) if session.graded(rubric, args.submission) else None
    start = (lambda: session.start_runner(submission, graph, args.in_process, (cache_dir(),))) if graph else \
        (lambda: make_runner(submission, in_process=args.in_process, private_dirs=(cache_dir(),)))
    bank, runner = _bank_and_runner(oracle, rubric, start, sandboxed=not args.in_process)
    try:
        context = GradingContext.build(oracle, rubric, bank=bank)
        report = context.grade(str(args.submission), runner, shrink=not args.no_shrink)
        part = session.grade_part(runner, rubric, graph) if graph else None
    finally:
        runner.close()
    console = Console(highlight=False)
    render_table(report, console)
    if not args.quiet:
        render_feedback(report, console)
    if args.json:
        write_json(report, args.json)
    if part is not None:
        from .capstone import show_part

        show_part(part, console, _("capstone: {submission}").format(submission=args.submission), args.json, args.feedback)
    return 0


def _check(args) -> int:
    """The score preview: the public properties, the Numeric oracle, the student's own machine."""
    from pathlib import Path

    from ..core.context import GradingContext
    from ..ops import registry
    from ..render.terminal import render_feedback, render_table
    from ..run.factory import make_runner
    from ..run.submission import read_submission

    from ..ops.capstone import session

    path = args.path or next((p for p in (Path("backprop/ops.py"), Path("ops.py")) if p.exists()),
                             Path("backprop/ops.py"))
    course = registry.select(args.course)
    submission = read_submission(path)
    rubric = course.rubric(args.rubric)
    context = GradingContext.public(course, rubric)
    graph = session.read_graph(path) if session.graded(rubric, path) else None
    # The student's own machine: their code runs in this process (with the capstone's graph.py, if any).
    runner = session.start_runner(submission, graph, in_process=True) if graph else \
        make_runner(submission, in_process=True)
    try:
        report = context.grade(str(path), runner, shrink=not args.no_shrink)
        part = session.grade_part(runner, rubric, graph, public=True) if graph else None
    finally:
        runner.close()
    console = Console(highlight=False)
    render_table(report, console, title=_("Score preview: {path}").format(path=path))
    if not args.quiet:
        render_feedback(report, console)
    if part is not None:
        from .capstone import show_part

        show_part(part, console, _("capstone preview: {path}").format(path=path), feedback_dir=args.feedback)
    console.print(_("[dim]This preview runs the public checks (finite differences of the given forward) on "
                    "your machine. Your final grade comes from your instructor's grader, which runs the same "
                    "checks on the same examples against a reference solution.[/]"))
    return 0


def rubric_toml(rubric) -> str:
    """A complete rubric file for these ops: [grading] and every op's points, to copy and edit."""
    lines = ["# Written by `grader properties --toml`: edit the points, then pass it with --rubric.", "",
             "[grading]", f"seed = {rubric.seed}", f"examples_per_property = {rubric.examples_per_property}"]
    for op in rubric.contract:
        lines += ["", f"[points.{op.key}]"]
        lines += [f"{prop.name} = {rubric.points.get(op.key, {}).get(prop.name, 0):g}" for prop in op.properties]
    for key, points in rubric.parts.items():   # a part beside the ops (the capstone): its graded properties
        lines += ["", f"[points.{key}]"] + [f"{name} = {value:g}" for name, value in points.items()]
    return "\n".join(lines) + "\n"


def _properties(args) -> int:
    from ..ops import registry

    rubric = registry.select(args.course).rubric(args.rubric)
    if args.toml:
        print(rubric_toml(rubric), end="")
        return 0
    console = Console(highlight=False)
    for op_key in rubric.points:
        for prop, points in rubric.graded(op_key):
            console.print(f"{prop.id:32} {points:>4g}  {_(prop.doc)}")
    total = _("total")  # padded by terminal cells: a CJK character takes two
    console.print(f"{total}{' ' * max(0, 32 - cell_len(total))} {rubric.max_score:>4g}")
    if rubric.parts:
        from ..ops.capstone.properties import PROPERTIES

        for key, points in rubric.parts.items():
            for name, value in points.items():
                console.print(f"{key + '.' + name:32} {value:>4g}  {_(PROPERTIES[name])}")
            part_total = _("{key} total (apart from the ops)").format(key=key)  # padded by cells, as above
            console.print(f"{part_total}{' ' * max(0, 32 - cell_len(part_total))} {sum(points.values()):>4g}")
    return 0


def add_command(commands) -> None:
    from ..ops import registry

    grade = commands.add_parser("grade", help=_("grade one submission against the hidden reference"))
    grade.add_argument("submission", help=_("an ops.py, a folder holding ops.py or backprop/ops.py, or a .ipynb"))
    grade.add_argument("--json", metavar="OUT", help=_("also write the report as JSON to OUT"))
    grade.add_argument("--rubric", metavar="TOML", help=_("rubric file (default: the kit's "
                                                          "grader/core/rubric.toml)"))
    grade.add_argument("--no-shrink", action="store_true",
                       help=_("report the first failing example instead of shrinking it (faster)"))
    grade.add_argument("--in-process", action="store_true",
                       help=_("DEBUGGING ONLY: run the student's code inside the grader's own process, with no "
                              "isolation (the student's code could change its own grade)"))
    grade.add_argument("-q", "--quiet", action="store_true", help=_("print only the table"))
    grade.add_argument("--feedback", metavar="DIR",
                       help=_("with a graph.py beside ops.py: write the capstone's feedback.md and loss.png into DIR"))
    registry.add_course_argument(grade)
    grade.set_defaults(run=_grade)

    check = commands.add_parser("check", help=_("preview your score with the public checks (no reference "
                                                "needed)"))
    check.add_argument("path", nargs="?", help=_("your ops.py (default: backprop/ops.py, else ops.py)"))
    check.add_argument("--rubric", metavar="TOML")
    check.add_argument("--no-shrink", action="store_true", help=_("show the first failing example, unshrunk"))
    check.add_argument("-q", "--quiet", action="store_true", help=_("print only the table"))
    check.add_argument("--feedback", metavar="DIR", help=_("with a graph.py: write the capstone's loss plot into DIR"))
    registry.add_course_argument(check)
    check.set_defaults(run=_check)

    props = commands.add_parser("properties", help=_("list the graded properties and their points"))
    props.add_argument("--rubric", metavar="TOML")
    props.add_argument("--toml", action="store_true", help=_("print a complete rubric file (every op's points) "
                                                             "to edit"))
    registry.add_course_argument(props)
    props.set_defaults(run=_properties)
