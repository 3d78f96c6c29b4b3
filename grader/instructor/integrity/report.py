"""The integrity report of a class: ``integrity.html`` to review, ``integrity.json`` to process.

Reading a class (`read_class`) parses every submission, never runs one; the report is a list of
facts for a person to review (similar bodies side by side, flagged lines quoted), never a
penalty. The page is rendered from templates/integrity.html.j2 with autoescaping on
(grader/pages.py): a student id, a file name or a line of code is text, never markup.
"""

import json
from dataclasses import asdict, dataclass

from ...i18n import N_, _
from ...run.submission import SubmissionError
from .bodies import backward_bodies
from .flags import find_flags
from .similarity import COMMON, K, MIN_CHARACTERS, THRESHOLD, similarity
from .sources import Code, read_code

HTML_NAME, JSON_NAME = "integrity.html", "integrity.json"
KINDS = {"finite_differences": N_("finite differences instead of backprop"),  # translated where shown: the page
         "autograd": N_("an autograd library"),
         "files_or_environment": N_("reads or writes files or the environment"),
         "network": N_("uses the network")}


@dataclass(frozen=True)
class Student:
    name: str
    problems: tuple     # why some or all of the code could not be read (one sentence each)
    bodies: dict        # {op key: Body}
    flags: tuple        # Flags


def read_student(name: str, path) -> Student:
    try:
        code = read_code(name, path)
    except SubmissionError as error:
        code = Code(name, (), str(error))
    problems = tuple(filter(None, [code.error, *(unit.error for unit in code.units)]))
    return Student(name, problems, backward_bodies(code.units), tuple(find_flags(code.units)))


def segments(text: str, spans) -> list:
    """[(text, shared)] cutting `text` at the shared character spans, for highlighting."""
    parts, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if start > at:
            parts.append((text[at:start], False))
        if end > start:
            parts.append((text[start:end], True))
            at = end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def build(students: list) -> dict:
    """Everything the page and the JSON show, from the students' parsed code."""
    by_name = {student.name: student for student in students}
    results = similarity({student.name: {op: body.text for op, body in student.bodies.items()}
                          for student in students})
    ops = []
    for result in results:
        pairs = []
        for pair in result.pairs:
            sides = []
            for name, share, spans in zip((pair.first, pair.second), pair.similarity, pair.shared):
                body = by_name[name].bodies[pair.op]
                sides.append({"student": name, "share": share, "where": [(p.where, p.start) for p in body.pieces],
                              "segments": segments(body.text, spans)})
            pairs.append({"similarity": min(pair.similarity), "sides": sides})
        ops.append({"op": result.op, "compared": list(result.compared), "too_short": list(result.too_short),
                    "highest": result.highest, "pairs": pairs})
    flagged = [{"student": student.name, "flags": [asdict(flag) for flag in student.flags]}
               for student in students if student.flags]
    return {"students": len(students),
            "unread": [{"student": student.name, "problems": list(student.problems)}
                       for student in students if student.problems],
            "settings": {"k": K, "threshold": THRESHOLD, "min_characters": MIN_CHARACTERS, "common": COMMON},
            "ops": ops, "flagged": flagged, "kinds": KINDS}


def to_json(report: dict) -> str:
    """The report as JSON: pairs without the highlighted text, which the page shows."""
    ops = [{**op, "pairs": [{"similarity": round(pair["similarity"], 4),
                             "students": [side["student"] for side in pair["sides"]],
                             "shares": [round(side["share"], 4) for side in pair["sides"]]}
                            for pair in op["pairs"]]} for op in report["ops"]]
    for op in ops:
        op["highest"] = round(op["highest"], 4)
    plain = {key: value for key, value in report.items() if key not in ("ops", "kinds")}
    return json.dumps({**plain, "ops": ops}, indent=2, sort_keys=True) + "\n"


def to_html(report: dict) -> str:
    from ...render.pages import render

    return render("integrity.html.j2", report=report, translated=_)
