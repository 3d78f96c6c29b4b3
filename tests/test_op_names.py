"""Generic machinery never names an op: only grader/ops/ knows which ops exist.

Outside grader/ops/, no module of grader/ may hold an op key or an op's class name as a string
constant (a dict key, a comparison, a default), use a class name or a distinctive op key as an
identifier, or speak of an op by name in its docstrings and comments. An op is added in its own
module; a name in a generic module is a second place to edit, and it is how ``op.key ==
"matmul"`` special cases creep back in.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

from grader.ops import OPS

ROOT = Path(__file__).resolve().parent.parent
GRADER = ROOT / "grader"
KEYS = {op.key for op in OPS}
CLASSES = {op.class_name for op in OPS}
# Keys that are also ordinary words or builtins (max(), "add" a line) are looked for only as
# whole string constants; the distinctive ones anywhere in an identifier or a docstring.
DISTINCTIVE = {key for key in KEYS if len(key) > 3} | {"softmax"}
CLASS_PROSE = re.compile(r"\b(" + "|".join(sorted(CLASSES, key=len, reverse=True)) + r")\b")
PROSE = re.compile(r"\b(" + "|".join(sorted(DISTINCTIVE | CLASSES, key=len, reverse=True)) + r")\b")


def generic_modules():
    for path in sorted(GRADER.rglob("*.py")):
        if "ops" not in path.relative_to(GRADER).parts[:1]:
            yield path


def library_names(tree) -> set:
    """Nodes that name Python's or NumPy's own things, not ops: ``ast.Add`` (an operator node),
    ``x.max`` / ``np.add`` (a method or a ufunc), and the strings compared with or listed beside
    such attribute names (``node.func.attr == "max"``, ``("sum", "mean", "max")``)."""
    exempt = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (
                (isinstance(node.value, ast.Name) and node.value.id in LIBRARIES)   # ast.Add, np.add
                or isinstance(node.value, (ast.Call, ast.Subscript, ast.Attribute))):  # x.max(), a[i].max
            exempt.add(id(node))
        elif isinstance(node, ast.Compare) and any(isinstance(side, ast.Attribute) and side.attr in ("attr", "id")
                                                   for side in [node.left, *node.comparators]):
            exempt.update(id(side) for side in node.comparators)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and sum(
                isinstance(e, ast.Constant) and e.value in NUMPY_REDUCTIONS for e in node.elts) >= 2:
            exempt.update(id(e) for e in node.elts)
        elif isinstance(node, ast.Dict) and all(isinstance(k, ast.Attribute) for k in node.keys if k is not None):
            exempt.update(id(v) for v in node.values)   # {ast.Add: "add", ...}: ufunc names by operator
    return exempt


LIBRARIES = {"ast", "np", "numpy"}
NUMPY_REDUCTIONS = {"sum", "mean", "max", "min", "prod", "std", "var"}


def op_names(source: str):
    """(line, what) for every place the source names an op."""
    tree = ast.parse(source)
    exempt = library_names(tree)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text.strip() in KEYS | CLASSES:
                yield node.lineno, f"string {text!r}"
            elif (found := (PROSE if id(node) in docstrings else CLASS_PROSE).search(text)):
                # (Feedback text may say "sigmoid of grad_out": a function, not an op's special case.)
                yield node.lineno, f"{'docstring' if id(node) in docstrings else 'text'} names {found.group()!r}"
        elif isinstance(node, (ast.Name, ast.Attribute, ast.FunctionDef, ast.ClassDef, ast.arg, ast.alias)):
            name = {ast.Name: "id", ast.Attribute: "attr", ast.FunctionDef: "name", ast.ClassDef: "name",
                    ast.arg: "arg", ast.alias: "name"}[type(node)]
            identifier = getattr(node, name) or ""
            if identifier in CLASSES or any(key in identifier.lower() for key in DISTINCTIVE):
                yield getattr(node, "lineno", 0), f"identifier {identifier!r}"
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and (found := PROSE.search(token.string)):
            yield token.start[0], f"comment names {found.group()!r}"


def test_the_check_finds_op_names():
    """What the check must catch (it found these in grader/core before the op modules existed)."""
    assert list(op_names('if op.key == "matmul":\n    pass\n'))
    assert list(op_names('swaps = {"mul": 1}\n'))
    assert list(op_names('"""Max at exact ties: for the Max class."""\n'))
    assert list(op_names('x = 1  # the sigmoid family\n'))
    assert list(op_names('def softmax_ce_nonfinite(f):\n    pass\n'))
    assert list(op_names('if key in ("max", "add"):\n    pass\n'))   # op keys, not a list of reductions
    assert not list(op_names('y = max(a, b)\nparser.add_argument("--x")\n"""the maximum of |g|"""\n'))
    assert list(op_names('cls = registry.Sigmoid\n'))   # an op class reached as an attribute still counts
    assert not list(op_names('isinstance(n.op, ast.Add)\nok = n.func.attr == "max"\nR = ("sum", "mean", "max")\n'))


def test_no_module_outside_the_op_modules_names_an_op():
    found = [f"{path.relative_to(ROOT)}:{line}: {what}"
             for path in generic_modules() for line, what in op_names(path.read_text(encoding="utf-8"))]
    assert not found, "generic code names an op (declare it in the op's module instead):\n" + "\n".join(found)
