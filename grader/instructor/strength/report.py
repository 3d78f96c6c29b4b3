"""The strength report: per op the mutation score, the survivors and the diagnosis coverage.

`build` turns the verdicts (assess.py) into plain data, the JSON report; the terminal table
(`render_terminal`) and the HTML page (`render_html`, templates/strength.html.j2, autoescaped)
are drawn from that data alone. Nothing in it depends on time, paths or the order in which the
grading processes finished, so the same rubric gives the same bytes.

* **score** = caught / non-equivalent mutants of the op (None when every mutant is equivalent);
* **diagnosed** = caught mutants whose failures name a cause (a ``mistake`` id, which the
  grader gives only when it reproduces the mutant's numbers); **coverage** = diagnosed / caught;
* **collateral** = points the mutants lost on ops they did not touch: on a fair grader, 0. It is
  graded on a sample (assess.py: ``collateral_graded`` says which mutants); the others are proved,
  on their AST, to leave every other op the reference's code (isolation.py);
* each survivor carries its diff and the property families whose probe examples expose it, each
  marked graded (its examples missed it) or not graded by this rubric.
"""

import json

from ...i18n import N_, _

FORMAT = 1
# The terminal table's columns: (key, heading), the headings translated where shown.
COLUMNS = (("op", N_("op")), ("mutants", N_("mutants")), ("equivalent", N_("equivalent")), ("caught", N_("caught")),
           ("score", N_("score")), ("diagnosed", N_("diagnosed")), ("collateral", N_("collateral")))


def _share(part: int, whole: int):
    return round(part / whole, 4) if whole else None


def _mutant_data(verdict, rubric) -> dict:
    mutant, report = verdict.mutant, verdict.report
    own = report["ops"][mutant.op]
    failed = [check for check in own["checks"] if not check["passed"]]
    collateral = {key: op["max_score"] - op["score"] for key, op in report["ops"].items()
                  if key != mutant.op and op["score"] < op["max_score"]}
    status = "equivalent" if verdict.equivalent else "caught" if failed else "survived"
    graded = {prop.id: points for prop, points in rubric.graded(mutant.op)}
    return {
        "id": mutant.id, "op": mutant.op, "operator": mutant.operator, "mistake": mutant.sentence,
        "status": status,
        "caught_by": [{"property": check["name"], "kind": check["kind"], "mistake": check["mistake"],
                       "reproduced": bool(check["mistake"]), "diagnosis": check["diagnosis"]} for check in failed],
        "diagnosed": any(check["mistake"] for check in failed),
        "points_lost": own["max_score"] - own["score"],
        "collateral": collateral,
        "collateral_graded": verdict.whole,
        "problem": verdict.problem,
        "would_catch": [{"property": prop_id, "graded": prop_id in graded} for prop_id in verdict.exposed_by]
        if status == "survived" else [],
        "diff": mutant.diff,
    }


def _summary(rows: list) -> dict:
    equivalent = sum(row["status"] == "equivalent" for row in rows)
    caught = [row for row in rows if row["status"] == "caught"]
    diagnosed = sum(row["diagnosed"] for row in caught)
    return {
        "mutants": len(rows), "equivalent": equivalent, "non_equivalent": len(rows) - equivalent,
        "caught": len(caught), "survived": sum(row["status"] == "survived" for row in rows),
        "score": _share(len(caught), len(rows) - equivalent),
        "diagnosed": diagnosed, "diagnosis_coverage": _share(diagnosed, len(caught)),
        "collateral": sum(sum(row["collateral"].values()) for row in rows),
        "collateral_graded": sum(row["collateral_graded"] for row in rows),
    }


def build(verdicts, rubric, op_keys, probe) -> dict:
    """The report as plain data (the JSON file)."""
    rows = [_mutant_data(verdict, rubric) for verdict in verdicts]
    return {
        "format": FORMAT,
        "rubric": {"seed": rubric.seed, "examples_per_property": rubric.examples_per_property},
        "probe": {"seed": probe.seed, "examples_per_property": probe.examples_per_property},
        "ops": {key: _summary([row for row in rows if row["op"] == key]) for key in op_keys},
        "total": _summary(rows),
        "mutants": rows,
    }


def write_json(data: dict, path) -> None:
    from ...atomic import write_atomic

    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def percent(share) -> str:
    return _("n/a") if share is None else f"{100 * share:.0f}%"


def render_terminal(data: dict, console) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ...render.escape import terminal

    table = Table(title=_("Rubric strength: mutants of the reference"), title_justify="left", pad_edge=False)
    # caught counts the non-equivalent mutants only; diagnosed, the caught ones that get a cause.
    for column, heading in COLUMNS:
        table.add_column(_(heading), justify="left" if column == "op" else "right")
    for key, row in [*data["ops"].items(), (None, data["total"])]:
        style = "bold" if key is None else ("red" if row["survived"] or row["collateral"] else "")
        table.add_row(_("total") if key is None else key, str(row["mutants"]), str(row["equivalent"]),
                      f"{row['caught']} / {row['non_equivalent']}", percent(row["score"]), f"{row['diagnosed']} ({percent(row['diagnosis_coverage'])})",
                      f"{row['collateral']:g}", style=style)
    console.print(table)
    for row in data["mutants"]:
        if row["status"] == "survived" or row["collateral"]:
            what = _("survived") if row["status"] == "survived" else \
                _("cost other ops {collateral}").format(collateral=row["collateral"])
            console.print("\n" + _("[bold red]{id}[/] {what}: {mistake}").format(
                id=escape(terminal(row["id"])), what=what, mistake=escape(terminal(_(row["mistake"])))))
            for family in row["would_catch"]:
                why = _("graded, but its examples missed it") if family["graded"] else _("not graded by this rubric")
                console.print("  " + _("would be caught by {property} ({why})").format(
                    property=escape(terminal(family["property"])), why=why))
            if row["status"] == "survived" and not row["would_catch"]:
                console.print("  " + _("no family exposes it: it needs a new property family"))
            console.print(escape(terminal(row["diff"])), highlight=False, markup=True)
    total = data["total"]
    if total["collateral_graded"] < total["mutants"]:
        console.print("\n" + _("Collateral graded on {graded} of {mutants} mutants (each op's "
                                 "first, and its first that changes state); the others differ from the "
                                 "reference in their op's class alone (checked on the AST): every other op runs "
                                 "the reference's code.").format(graded=total["collateral_graded"], mutants=total["mutants"]))
    equivalent = [row["id"] for row in data["mutants"] if row["status"] == "equivalent"]
    if equivalent:
        console.print("\n" + _("Equivalent to the reference (not counted): {ids}").format(
            ids=escape(terminal(", ".join(equivalent)))))


def render_html(data: dict) -> str:
    from ...render.pages import render

    return render("strength.html.j2", data=data, percent=percent, translated=_)
