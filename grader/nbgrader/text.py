"""One op's result as plain text: what a graded cell (and a check cell) prints under the class.

Plain text on stdout, because every nbgrader view shows it the same way (the autograded
notebook, the formgrader, the feedback HTML). It lists every check with its points, then for
each failed one the grader's feedback: the reason, the minimal failing example, and the
diagnosis when one is recognised. A cause already shown is named, not repeated; when a single
cause fails every failed check (not implemented, no class, a cell that does not load), it is
said once.

A notebook shows stream output as text (Jupyter and nbconvert's HTML export escape HTML) but
interprets ANSI escape sequences in it, so the text passes through `escape.terminal`.
"""

from ..i18n import _
from ..render.escape import terminal

ONE_CAUSE_KINDS = ("not_implemented", "error")


def _points(value: float) -> str:
    return f"{value:g}"


def _check_line(check) -> str:
    mark = "PASS" if check.passed else "FAIL"
    return f"  {mark} {check.name} {_points(check.points)}/{_points(check.max_points)}: {check.doc}"


def op_text(class_name: str, op_score) -> str:
    lines = [_("{class_name}: {score}/{max_score} points").format(class_name=class_name, score=_points(op_score.score),
                                                                  max_score=_points(op_score.max_score))]
    failed = [check for check in op_score.checks if not check.passed]
    if failed and len({check.reason for check in failed}) == 1 and failed[0].kind in ONE_CAUSE_KINDS:
        lines += [_check_line(check) for check in op_score.checks]
        lines.append(f"  {failed[0].feedback or failed[0].reason}")
        return terminal("\n".join(lines))
    shown = {}  # verdict kind -> the check whose feedback is printed above
    for check in op_score.checks:
        lines.append(_check_line(check))
        if check.passed:
            continue
        if check.kind in shown:
            lines.append("       " + _("{reason} (the same kind of mistake as {shown})")
                         .format(reason=check.reason, shown=shown[check.kind]))
            continue
        shown[check.kind] = check.name
        lines += [f"       {line}" for line in (check.feedback or check.reason).splitlines()]
    return terminal("\n".join(lines))


def capstone_text(score) -> str:
    """The capstone's result as plain text: its checks, the network's gradients as the cmp-style
    table (render/capstone.py, the same as ``grader grade`` prints), training, what failed and
    why. The student's text in it is already escaped by the renderer; the width is fixed so the
    text is the same byte for byte wherever it is graded."""
    import io

    from rich.console import Console

    from ..render.capstone import render_terminal

    out = io.StringIO()
    console = Console(file=out, width=100, color_system=None, force_terminal=False, highlight=False,
                      legacy_windows=False, soft_wrap=False)
    title = _("Capstone: {score}/{max_score} points").format(score=_points(score.score),
                                                              max_score=_points(score.max_score))
    render_terminal(score, console, title=title)
    return terminal("\n".join(line.rstrip() for line in out.getvalue().rstrip().splitlines()))
