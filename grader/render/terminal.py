"""Renderers of a `Report`: the terminal (a score table, the feedback below it) and the JSON file.

The table holds names and points only, so that it reads at 80 columns; every reason and example
is printed below it, wrapped to the console's width with hanging indents. Student text (the
submission's path, error messages, printed output, names quoted in reasons) passes through
`terminal` (the escaper of this medium; grader/render/escape.py has the others) and is printed as rich
`Text`, never parsed as markup.
"""

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..atomic import write_atomic
from .escape import terminal
from .wrap import wrap
from ..i18n import _

INDENT = 4          # feedback lines, under their check's header
HANG = 4            # continuation lines of a wrapped line, beyond its first
OUTPUT_LINES = 10   # lines of the student's printed output shown
ONE_CAUSE = ("not_implemented", "error")  # kinds whose every check fails for the same reason


def _points(value: float) -> str:
    return f"{value:g}"


def _wrap(text: str, width: int, indent: int) -> list:
    """Each line of `text` wrapped to `width`, indented by `indent` (plus its own leading spaces),
    its continuation lines by HANG more."""
    lines = []
    for line in terminal(text).split("\n"):
        body = line.lstrip(" ")
        first = " " * (indent + len(line) - len(body))
        lines += wrap(body, max(width, 40), initial_indent=first, subsequent_indent=first + " " * HANG) or [""]
    return lines


def _print(console: Console, text: str, indent: int = 0, style: str = "", bold: int = 0) -> None:
    """Print `text` wrapped with hanging indents; `bold`: that many characters of its start."""
    for number, line in enumerate(_wrap(text, console.width, indent)):
        shown = Text(line, style=style)
        if bold and number == 0:
            shown.stylize("bold", indent, indent + bold)
        console.print(shown, soft_wrap=True)


def _names(checks, passed: bool) -> str:
    """The checks that passed (or failed): "all" when every one did, so a row stays short."""
    names = [check.name for check in checks if check.passed == passed]
    return _("all") if len(names) == len(checks) > 1 else ", ".join(names) or "-"


def render_table(report, console: Console, title: str = "") -> None:
    table = Table(title=Text(terminal(title or report.submission)), title_justify="left")
    table.add_column(_("op"), style="bold", no_wrap=True)
    table.add_column(_("points"), justify="right", no_wrap=True)
    table.add_column(_("passed"), style="green")
    table.add_column(_("failed"), style="red")
    for key, op in report.ops.items():
        style = "green" if op.score == op.max_score else "yellow" if op.score else "red"
        table.add_row(key, Text(f"{_points(op.score)}/{_points(op.max_score)}", style=style),
                      _names(op.checks, passed=True), _names(op.checks, passed=False))
    table.add_row(_("total"), Text(f"{_points(report.score)}/{_points(report.max_score)}", style="bold"), "", "")
    console.print(table)


def _groups(report, op) -> dict:
    """Feedback text -> the failed checks of `op` that share it (a stub fails them all alike)."""
    groups = {}
    for check in op.checks:
        if not check.passed and not (report.load_error and check.feedback == report.load_error):
            groups.setdefault(check.feedback or check.reason, []).append(check)
    return groups


def render_feedback(report, console: Console) -> None:
    """Below the table: why each check failed, with its minimal failing example, once per cause."""
    if report.load_error:
        _print(console, _("The submission could not be loaded: {load_error}").format(load_error=report.load_error), style="red")
    for key, op in report.ops.items():
        shown, said = {}, {}  # verdict kind, reason -> the check whose example is printed above
        for feedback, checks in _groups(report, op).items():
            first = checks[0]
            every = len(checks) == len(op.checks) > 1
            label = _("{key} (all checks)").format(key=key) if every else ", ".join(f"{key}.{check.name}" for check in checks)
            points = f"{_points(sum(c.points for c in checks))}/{_points(sum(c.max_points for c in checks))}"
            about = f": {first.doc}" if len(checks) == 1 else ""
            _print(console, f"{label} {points}{about}", bold=len(label))
            if first.reason in said:
                _print(console, _("The same problem as {said}, above.").format(said=said[first.reason]), INDENT)
                continue
            if first.kind in shown and first.kind not in ONE_CAUSE:
                _print(console, (_("{reason} (same kind of mistake as {shown}, above)")
                                 .format(reason=first.reason, shown=shown[first.kind])), INDENT)
                continue
            shown[first.kind] = said[first.reason] = f"{key}.{first.name}"
            _print(console, feedback, INDENT)
    if report.student_output.strip():
        console.print(Text(_("Your code printed (first lines):"), style="dim"))
        for line in report.student_output.splitlines()[:OUTPUT_LINES]:
            _print(console, line, INDENT, style="dim")


def write_json(report, path) -> None:
    write_atomic(path, json.dumps(report.to_json(), indent=2, sort_keys=False) + "\n")
