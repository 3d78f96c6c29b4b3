"""Derive the student stubs from the reference solutions.

The solutions mark each answer with ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (the markers
nbgrader uses). Inside a function the block becomes ``raise NotImplementedError("Cls.method is
not implemented yet")``; a block at module level (a private helper) is dropped. Everything else,
the given ``forward`` code and the docstrings students read, is copied verbatim, so it exists
in exactly one place.
"""

import re

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_DEF = re.compile(r"^(\s*)(class|def)\s+(\w+)")


def _qualified_name(lines, index, indent):
    """The dotted name of the def enclosing line `index` (e.g. "Cls.backward")."""
    names, limit = [], indent
    for line in reversed(lines[:index]):
        match = _DEF.match(line)
        if match and len(match.group(1)) < limit:
            names.append(match.group(3))
            limit = len(match.group(1))
            if limit == 0:
                break
    return ".".join(reversed(names))


def make_stubs(solution_source: str) -> str:
    lines = solution_source.splitlines(keepends=True)
    out, index = [], 0
    while index < len(lines):
        line = lines[index]
        if line.strip() != BEGIN:
            out.append(line)
            index += 1
            continue
        indent = len(line) - len(line.lstrip())
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == END), None)
        if end is None:
            raise ValueError(f"line {index + 1}: {BEGIN} without {END}")
        if indent:
            pad = " " * indent
            name = _qualified_name(lines, index, indent)
            out.append(f"{pad}# YOUR CODE HERE\n")
            out.append(f'{pad}raise NotImplementedError("{name} is not implemented yet")\n')
        else:
            # Drop the module-level helper and the blank lines that separated it.
            while out and not out[-1].strip() and end + 1 < len(lines) and not lines[end + 1].strip():
                end += 1
        index = end + 1
    return "".join(out)


def write_stubs() -> None:
    """Rewrite each stub in assignments/backprop/ (ops.py, the capstone's graph.py) from its
    solution in solutions/backprop/."""
    from ..atomic import write_atomic
    from ..paths import REPO

    for name in ("ops.py", "graph.py"):
        source = (REPO / "solutions" / "backprop" / name).read_text(encoding="utf-8")
        write_atomic(REPO / "assignments" / "backprop" / name, make_stubs(source))
