"""Renderers of a `Report`: the terminal table and the JSON file."""

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text


def _points(value: float) -> str:
    return f"{value:g}"


def render_table(report, console: Console, title: str = "") -> None:
    table = Table(title=title or f"{report.submission}", title_justify="left", show_lines=True)
    table.add_column("op", style="bold")
    table.add_column("points", justify="right")
    table.add_column("passed", style="green")
    table.add_column("failed", style="red")
    for key, op in report.ops.items():
        passed = ", ".join(check.name for check in op.checks if check.passed)
        failed = Text()
        by_reason = {}  # one line per distinct reason: a stub says "not implemented" once
        for check in op.checks:
            if not check.passed:
                by_reason.setdefault(check.reason, []).append(check.name)
        for reason, names in by_reason.items():
            label = "all" if len(names) == len(op.checks) > 1 else ", ".join(names)
            failed.append(f"{label}: ", style="bold red")
            failed.append(reason + "\n", style="default")
        failed.rstrip()
        style = "green" if op.score == op.max_score else "yellow" if op.score else "red"
        table.add_row(key, Text(f"{_points(op.score)}/{_points(op.max_score)}", style=style), passed,
                      failed if failed.plain else Text("-"))
    table.add_row("total", Text(f"{_points(report.score)}/{_points(report.max_score)}", style="bold"), "", "")
    console.print(table)


def render_feedback(report, console: Console) -> None:
    """The minimal failing example of every failed property."""
    if report.load_error:
        console.print(f"[bold red]The submission could not be loaded:[/] {escape(report.load_error)}")
    for key, op in report.ops.items():
        shown = {}  # verdict kind -> the check whose example was printed
        for check in op.checks:
            if check.passed or check.kind in ("not_implemented",) or check.feedback == report.load_error:
                continue
            console.print(f"[bold]{key}.{check.name}[/] ({escape(check.doc)}): [red]failed[/]")
            if check.kind in shown:  # the same kind of mistake: its example is printed above
                console.print(f"    {escape(check.reason)} (same kind of mistake as {shown[check.kind]})")
                continue
            shown[check.kind] = check.name
            for line in check.feedback.splitlines():
                console.print(f"    {escape(line)}", highlight=False)
    if report.student_output.strip():
        console.print("[dim]Your code printed (first lines):[/]")
        for line in report.student_output.splitlines()[:10]:
            console.print(f"[dim]    {escape(line)}[/]", highlight=False)


def write_json(report, path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(report.to_json(), out, indent=2, sort_keys=False)
        out.write("\n")
