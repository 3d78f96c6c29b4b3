"""The reference file the mutants are made from: a course's whole answer, as one submission.

A submission is one ``ops.py`` with a class per op. For the kit's ops that is the reference
solutions file; a course (``--course DIR``) adds each of its ops' reference files after it, the
kit's classes it does not grade (or replaces with its own op of the same key) left out, so every
op's class appears once and is the one its grade is judged against. This is how a student's
finished file for the course reads (tests/test_course_examples.py grades the same text).
"""

import ast


def without_classes(source: str, names: set) -> str:
    """`source` with the top-level classes named in `names` removed (decorators included)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.ClassDef) and node.name in names:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            del lines[start - 1:node.end_lineno]
    return "".join(lines)


def reference_source(course) -> str:
    """The text of one submission answering every op of `course` (a registry.Course) as its reference."""
    from ...ops import registry
    from ...paths import solutions_path

    parts = []
    if course.builtin_keys:
        unused = {op.class_name for op in registry.builtin().contract if op.key not in course.builtin_keys}
        parts.append(without_classes(solutions_path().read_text(encoding="utf-8"), unused))
    parts += [course.references[key].read_text(encoding="utf-8") for key in course.contract.keys
              if key in course.references]
    return "\n\n".join(part.rstrip("\n") + "\n" for part in parts)
