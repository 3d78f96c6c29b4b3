"""The rewrites behind the mutation operators (operators.py declares them, with ids and sentences).

Each rewrite takes one AST node of a reference ``backward`` and a `Scope`, and returns the nodes
that may replace it: none where the node is no site for it, one per mutant otherwise. It never
edits the node it is given (every replacement is built from copies).
"""

import ast
import copy

REDUCTIONS = ("sum", "mean", "max", "min")
COMPARISONS = (ast.GtE, ast.Gt, ast.LtE, ast.Lt, ast.Eq, ast.NotEq)
IN_PLACE_UFUNCS = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide"}


# --------------------------------------------------------------------------- building nodes

def _np(*path) -> ast.expr:
    node = ast.Name("np", ast.Load())
    for name in path:
        node = ast.Attribute(node, name, ast.Load())
    return node


def _call(func, *args, **keywords) -> ast.Call:
    return ast.Call(func, list(args), [ast.keyword(k, v) for k, v in keywords.items()])


def _c(node):
    return copy.deepcopy(node)


def _same(a, b) -> bool:
    return ast.dump(a) == ast.dump(b)


def _is_grad_out(node) -> bool:
    return isinstance(node, ast.Name) and node.id == "grad_out"


def _self_attr(node) -> str:
    """"x" for ``self.x``, else ""."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return ""


def _dotted(node) -> str:
    """"np.add.at" for that attribute chain, "" for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else ""


def _reduction(node) -> tuple:
    """(what is reduced, the call's keywords) for ``x.sum(...)`` or ``np.sum(x, ...)``, else ()."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return ()
    if node.func.attr not in REDUCTIONS:
        return ()
    if _dotted(node.func) == f"np.{node.func.attr}":
        return (node.args[0], node.keywords) if node.args else ()
    return (node.func.value, node.keywords)


def _with_keywords(call: ast.Call, keywords) -> ast.Call:
    new = _c(call)
    new.keywords = [_c(k) for k in keywords]
    return new


def _returned(node) -> list:
    """The entries of ``return (x, y)`` that are not ``None``, with their positions."""
    if not isinstance(node, ast.Return) or not isinstance(node.value, ast.Tuple):
        return []
    return [(i, e) for i, e in enumerate(node.value.elts) if not (isinstance(e, ast.Constant) and e.value is None)]


def _return_with(node: ast.Return, position: int, entry) -> ast.Return:
    new = _c(node)
    new.value.elts[position] = entry
    return new


def _leading_size(entry) -> ast.expr:
    """``len(np.atleast_1d(entry))``: N, the leading dimension (1 for a 0-d gradient)."""
    return _call(ast.Name("len", ast.Load()), _call(_np("atleast_1d"), _c(entry)))


def _parse(text: str) -> list:
    return ast.parse(text).body


# --------------------------------------------------------------------------- the rewrites

def wrong_input(node, scope):
    name = _self_attr(node)
    if not name or not isinstance(node.ctx, ast.Load):
        return []
    return [ast.Attribute(ast.Name("self", ast.Load()), other, ast.Load()) for other in scope.siblings.get(name, ())]


def return_order(node, scope):
    if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) > 1:
        new = _c(node)
        new.value.elts.reverse()
        return [new]
    return []


def drop_transpose(node, scope):
    return [_c(node.value)] if isinstance(node, ast.Attribute) and node.attr == "T" else []


def add_transpose(node, scope):
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)):
        return []
    out = []
    for side in ("left", "right"):
        operand = getattr(node, side)
        if not (isinstance(operand, ast.Attribute) and operand.attr == "T"):
            new = _c(node)
            setattr(new, side, ast.Attribute(_c(operand), "T", ast.Load()))
            out.append(new)
    return out


def swap_operands(node, scope):
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.MatMult, ast.Sub, ast.Div)):
        return [ast.BinOp(_c(node.right), _c(node.op), _c(node.left))]
    if isinstance(node, ast.Call) and _dotted(node.func) == "np.where" and len(node.args) == 3:
        new = _c(node)
        new.args[1], new.args[2] = new.args[2], new.args[1]
        return [new]
    return []


def drop_helper(node, scope):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in scope.helpers and node.args:
        return [_c(node.args[0])]
    return []


def drop_reduction(node, scope):
    found = _reduction(node)
    return [_c(found[0])] if found else []


def reduction_axis(node, scope):
    found = _reduction(node)
    if not found:
        return []
    keywords = found[1]
    axis = next((k for k in keywords if k.arg == "axis"), None)
    if axis is None or not (isinstance(axis.value, ast.Constant) and isinstance(axis.value.value, int)):
        return []
    others = [k for k in keywords if k.arg != "axis"]
    other_axis = ast.keyword("axis", ast.Constant(0 if axis.value.value != 0 else 1))
    return [_with_keywords(node, [other_axis, *others]), _with_keywords(node, others)]


def drop_keepdims(node, scope):
    found = _reduction(node)
    if not found or not any(k.arg == "keepdims" for k in found[1]):
        return []
    return [_with_keywords(node, [k for k in found[1] if k.arg != "keepdims"])]


def mean_for_sum(node, scope):
    found = _reduction(node)
    if not found or node.func.attr not in ("sum", "mean"):
        return []
    new = _c(node)
    new.func.attr = "mean" if node.func.attr == "sum" else "sum"
    return [new]


def drop_grad_out(node, scope):
    if _is_grad_out(node) and isinstance(node.ctx, ast.Load):
        return [_call(_np("ones_like"), ast.Name("grad_out", ast.Load()))]
    return []


def negate(node, scope):
    return [_return_with(node, i, ast.UnaryOp(ast.USub(), _c(e))) for i, e in _returned(node)]


def plus_minus(node, scope):
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, (ast.Add, ast.Sub)):
        new = _c(node)
        new.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        return [new]
    return []


def scale(node, scope):
    out = []
    for i, e in _returned(node):
        out += [_return_with(node, i, ast.BinOp(ast.Constant(2.0), ast.Mult(), _c(e))),
                _return_with(node, i, ast.BinOp(_c(e), ast.Div(), _leading_size(e))),
                _return_with(node, i, ast.BinOp(_c(e), ast.Mult(), _leading_size(e)))]
    return out


def drop_factor(node, scope):
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return [_c(node.left), _c(node.right)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return [_c(node.left)]
    return []


def add_at_by_index(node, scope):
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and _dotted(node.value.func) == "np.add.at" and len(node.value.args) == 3):
        return []
    target, index, values = node.value.args
    cell = ast.Subscript(_c(target), _c(index), ast.Store())
    return [ast.Assign([cell], _c(values)), ast.AugAssign(_c(cell), ast.Add(), _c(values))]


def comparison(node, scope):
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], COMPARISONS)):
        return []
    out = []
    for kind in COMPARISONS:
        if not isinstance(node.ops[0], kind):
            new = _c(node)
            new.ops = [kind()]
            out.append(new)
    return out


def naive_form(node, scope):
    # logaddexp(a, b) -> log(exp(a) + exp(b)): overflows where the stable form does not.
    if isinstance(node, ast.Call) and _dotted(node.func) == "np.logaddexp" and len(node.args) == 2:
        a, b = node.args
        return [_call(_np("log"), ast.BinOp(_call(_np("exp"), _c(a)), ast.Add(), _call(_np("exp"), _c(b))))]
    # x - x.max(...) -> x: the max-shift of a stable exponential dropped, exp() overflows.
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        found = _reduction(node.right)
        if found and node.right.func.attr == "max" and _same(found[0], node.left):
            return [_c(node.left)]
    return []


def in_place(node, scope):
    if not (isinstance(node, ast.BinOp) and type(node.op) in IN_PLACE_UFUNCS):
        return []
    ufunc = _np(IN_PLACE_UFUNCS[type(node.op)])
    if _is_grad_out(node.left) or _self_attr(node.left):
        return [_call(ufunc, _c(node.left), _c(node.right), out=_c(node.left))]
    if isinstance(node.op, (ast.Add, ast.Mult)) and (_is_grad_out(node.right) or _self_attr(node.right)):
        return [_call(ufunc, _c(node.right), _c(node.left), out=_c(node.right))]
    return []


def stale(node, scope):
    if not isinstance(node, ast.Return) or node.value is None:
        return []
    body = _parse("if not hasattr(self, '_first_grads'):\n    self._first_grads = VALUE\nreturn self._first_grads")
    body[0].body[0].value = _c(node.value)
    return [body]


def accumulate(node, scope):
    if not isinstance(node, ast.Return) or node.value is None:
        return []
    body = _parse("_grads = VALUE\n"
                  "if hasattr(self, '_grad_sums'):\n"
                  "    _grads = tuple(g if g is None else g + s for g, s in zip(_grads, self._grad_sums))\n"
                  "self._grad_sums = _grads\n"
                  "return _grads")
    body[0].value = _c(node.value)
    return [body]
