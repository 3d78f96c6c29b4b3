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

from .operators import apply, count_sites, operators_for
from .scope import Scope
from .source import without_classes


@dataclass(frozen=True)
class Mutant:
    id: str
    op: str                 # op key
    operator: str           # operator id
    sentence: str           # the mistake it models
    source: str             # the whole mutated file
    probe_source: str       # the same, with only the mutated op's class
    diff: str               # unified diff of the mutated backward against the reference
    changes_state: bool = False  # made by an operator that changes arrays or attributes (Operator.changes_state)


def _class(tree: ast.Module, name: str):
    return next((node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name), None)


def _method(cls: ast.ClassDef, name: str):
    return next((node for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == name), None)


def _backward(tree: ast.Module, class_name: str):
    cls = _class(tree, class_name)
    return _method(cls, "backward") if cls else None


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


def unmutable(source: str, op_keys, contract) -> list:
    """The ops of `op_keys` whose class in `source` has no ``backward`` to mutate."""
    tree = ast.parse(source)
    return [key for key in op_keys if _backward(tree, contract[key].class_name) is None]


def mutants_of(source: str, op_keys, contract=None, extra=None) -> list:
    """Every mutant of `source` (a reference file) for the ops `op_keys` of `contract` (default: the
    kit's ops), in a fixed order.

    `extra` (op key -> operators) adds operators to those `operators_for` gives.
    """
    if contract is None:
        from ...ops import registry

        contract = registry.builtin().contract
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    class_names = {spec.class_name for spec in contract}
    seen, out = {source}, []
    for key in op_keys:
        op = contract[key]
        cls, backward = _class(tree, op.class_name), _backward(tree, op.class_name)
        if backward is None:
            continue
        statements, scope = _body(backward), scope_of(tree, cls, op)
        for operator in (*operators_for(op), *(extra or {}).get(key, ())):
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
                                  without_classes(mutated, class_names - {op.class_name}), diff,
                                  operator.changes_state))
    return out
