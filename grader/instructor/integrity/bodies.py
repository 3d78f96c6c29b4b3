"""Each op's ``backward`` body in a submission, found by its AST, with the helpers it calls.

What a student wrote for an op is the body of ``backward`` in the op's class (the last class
of that name, and its last ``backward``, as Python keeps them), without its docstring, plus the
functions it calls (or passes on) that the submission defines: module-level functions named in it
and the class's own methods used on ``self``, transitively. A helper carries the work as often as
``backward`` itself (``return _unbroadcast(grad_out * self.b, ...)``), so a copy cannot hide in
one. ``forward`` is given, never part of a body.
"""

import ast
import textwrap
from dataclasses import dataclass

from ...ops import OPS


@dataclass(frozen=True)
class Piece:
    """Consecutive lines of one unit."""
    where: str      # the unit: "ops.py", "cell 3"
    start: int      # first line number in the unit
    text: str       # the lines, dedented


@dataclass(frozen=True)
class Body:
    """What a student wrote for one op: backward's statements, then each helper it calls."""
    op: str
    pieces: tuple   # Pieces: backward's body first

    @property
    def text(self) -> str:
        return "\n\n".join(piece.text for piece in self.pieces)


def _lines(unit, first: int, last: int) -> str:
    return textwrap.dedent("\n".join(unit.text.splitlines()[first - 1:last]))


def _statements(unit, function) -> Piece:
    """The function's body without its docstring (a body that is only a docstring is empty)."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    if not body:
        return Piece(unit.where, function.lineno, "")
    return Piece(unit.where, body[0].lineno, _lines(unit, body[0].lineno, body[-1].end_lineno))


def _whole(unit, function) -> Piece:
    first = min([function.lineno] + [decorator.lineno for decorator in function.decorator_list])
    return Piece(unit.where, first, _lines(unit, first, function.end_lineno))


def _definitions(units) -> tuple:
    """({function name: (unit, def)}, {class name: (unit, class)}) at module level, last wins."""
    functions, classes = {}, {}
    for unit in units:
        for node in unit.tree.body if unit.tree else ():
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[node.name] = (unit, node)
            elif isinstance(node, ast.ClassDef):
                classes[node.name] = (unit, node)
    return functions, classes


def _methods(cls) -> dict:
    return {node.name: node for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _called(function, functions: dict, methods: dict) -> list:
    """[(kind, name)] of the submission's own functions that `function` calls or passes on
    (``_numeric(_probe, x)``), in source order."""
    names = []
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in functions:
            names.append(("function", node.id))
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "self" and node.attr in methods):
            names.append(("method", node.attr))
    return sorted(set(names), key=names.index)


def backward_functions(units) -> dict:
    """{op key: [(unit, function)]}: the op's ``backward`` first, then each helper it calls."""
    functions, classes = _definitions(units)
    found = {}
    for op in OPS:
        if op.class_name not in classes:
            continue
        unit, cls = classes[op.class_name]
        methods = {name: node for name, node in _methods(cls).items() if name not in ("forward", "backward")}
        backward = _methods(cls).get("backward")
        if backward is None:
            continue
        chain, seen, todo = [(unit, backward)], set(), _called(backward, functions, methods)
        while todo:
            kind, name = todo.pop(0)
            if (kind, name) in seen:
                continue
            seen.add((kind, name))
            owner, node = functions[name] if kind == "function" else (unit, methods[name])
            chain.append((owner, node))
            todo.extend(_called(node, functions, methods))
        found[op.key] = chain
    return found


def backward_bodies(units) -> dict:
    """{op key: Body} for every op whose class defines ``backward`` in the parsed units."""
    return {op: Body(op, (_statements(*chain[0]), *(_whole(unit, node) for unit, node in chain[1:])))
            for op, chain in backward_functions(units).items()}
