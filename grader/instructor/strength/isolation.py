"""Does a mutant change its op alone? Checked on the AST, so collateral need not be graded on every mutant.

Every other op of a mutant's file runs the reference's own code exactly when (1) the file, with
the mutated op's class left out, parses to the same tree as the reference with that class left
out; (2) nothing outside that class names it (no other class subclasses, calls or reads it); and
(3) none of its methods declares ``global`` or ``nonlocal`` or stores into an attribute or item of
a name that is neither ``self`` nor one of the method's locals (module state another op could read). Such a mutant
cannot cost another op a point except through the grader itself, which the mutants graded on
every op (assess.py) measure; the others are graded on their own op.
"""

import ast
import functools


def _split(tree: ast.Module, class_name: str):
    """(the module without the class, the class or None)."""
    rest = [node for node in tree.body if not (isinstance(node, ast.ClassDef) and node.name == class_name)]
    found = next((node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == class_name), None)
    return ast.Module(rest, []), found


def _root(node) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _keeps_to_itself(function: ast.FunctionDef) -> bool:
    """No global state touched: every stored attribute or item hangs off ``self`` or a local."""
    arguments = {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
    locals_ = arguments | {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in ast.walk(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return False
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                and _root(node) not in locals_:
            return False
    return True


@functools.lru_cache(maxsize=64)
def _rest_of_reference(reference: str, class_name: str) -> str:
    """The reference's tree without that class, dumped (the same for every mutant of the op)."""
    return ast.dump(_split(ast.parse(reference), class_name)[0])


def changes_only(source: str, reference: str, class_name: str) -> bool:
    """True if `source` differs from `reference` in class `class_name` alone, and that class
    can reach no other op (module docstring)."""
    rest, cls = _split(ast.parse(source), class_name)
    if cls is None or ast.dump(rest) != _rest_of_reference(reference, class_name):
        return False
    if any(isinstance(node, ast.Name) and node.id == class_name for node in ast.walk(rest)):
        return False
    return all(_keeps_to_itself(node) for node in cls.body if isinstance(node, ast.FunctionDef))
