"""Mutants of a reference file: one class's ``backward`` rewritten at one site by one operator.

A `Mutant` is a whole submission (``source``): the reference text with only the statements of
that ``backward`` that changed replaced by their unparsed form, so comments, docstrings and the
other classes stay as they are and the diff shows the mistake alone. ``probe_source`` is the same
file without the other ops' classes: the equivalence probe runs only the mutated op (assess.py).
Mutants are listed in a fixed order (op, operator, site), ids are ``<op>.<operator>.<n>``, and a
rewrite that gives the same text as the reference or as an earlier mutant is left out.
"""

import ast
import difflib
from dataclasses import dataclass

from ...ops import OP_BY_KEY
from .operators import apply, count_sites, operators_for
from .scope import Scope


@dataclass(frozen=True)
class Mutant:
    id: str
    op: str                 # op key
    operator: str           # operator id
    sentence: str           # the mistake it models
    source: str             # the whole mutated file
    probe_source: str       # the same, with only the mutated op's class
    diff: str               # unified diff of the mutated backward against the reference


def _class(tree: ast.Module, name: str):
    return next((node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name), None)


def _method(cls: ast.ClassDef, name: str):
    return next((node for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == name), None)


def _body(function: ast.FunctionDef) -> list:
    """The statements of a function, its docstring left out."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def scope_of(tree: ast.Module, cls: ast.ClassDef, op) -> Scope:
    """The module's helper functions; per ``self`` attribute, those ``forward`` stored beside it in one
    tuple assignment (``self.a, self.b = a, b``), integer inputs (labels, indices) left out."""
    helpers = frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))
    siblings = {}
    forward = _method(cls, "forward")
    for node in ast.walk(forward) if forward else ():
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
            names = [t.attr for t in node.targets[0].elts
                     if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                     and t.attr not in op.integer_inputs]
            for name in names:
                siblings[name] = tuple(other for other in names if other != name)
    return Scope(helpers, siblings)


def _replace_statements(lines: list, statements: list, replacements: list) -> list:
    """`lines` with every statement whose replacement differs rewritten as unparsed text."""
    lines = list(lines)
    for old, new in reversed(list(zip(statements, replacements))):
        if len(new) == 1 and ast.dump(new[0]) == ast.dump(old):
            continue
        indent = " " * old.col_offset
        text = [indent + line for statement in new for line in ast.unparse(statement).splitlines()]
        lines[old.lineno - 1:old.end_lineno] = [line + "\n" for line in text]
    return lines


def _only_class(source: str, keep: str, drop: set) -> str:
    """`source` without the classes named in `drop` (decorators included)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, ast.ClassDef) and node.name in drop and node.name != keep:
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            del lines[start - 1:node.end_lineno]
    return "".join(lines)


def mutants_of(source: str, op_keys, extra=None) -> list:
    """Every mutant of `source` (a reference file) for the ops `op_keys`, in a fixed order.

    `extra` (op key -> operators) adds operators to those `operators_for` gives.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    class_names = {spec.class_name for spec in OP_BY_KEY.values()}
    seen, out = {source}, []
    for key in op_keys:
        op = OP_BY_KEY[key]
        cls = _class(tree, op.class_name)
        backward = _method(cls, "backward") if cls else None
        if backward is None:
            continue
        statements, scope = _body(backward), scope_of(tree, cls, op)
        for operator in (*operators_for(key), *(extra or {}).get(key, ())):
            number = 0
            for target in range(count_sites(statements, operator, scope)):
                replacements = apply(statements, operator, scope, target)
                mutated = "".join(_replace_statements(lines, statements, replacements))
                if mutated in seen:
                    continue
                seen.add(mutated)
                number += 1
                diff = "".join(difflib.unified_diff(lines, mutated.splitlines(keepends=True), "reference", "mutant",
                                                    n=1))
                out.append(Mutant(f"{key}.{operator.id}.{number}", key, operator.id, operator.sentence, mutated,
                                  _only_class(mutated, op.class_name, class_names), diff))
    return out
