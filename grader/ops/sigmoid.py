"""sigmoid: ``1 / (1 + exp(-x))`` elementwise; the classic wrong local derivatives, and exp() overflow
at large |x|."""

import numpy as np

from ..core.diagnoses.failure import index_text, num
from ..core.cases import NO_MUTATION_DOC, UPSTREAM_DOC, Property
from ..core.contract import OpSpec
from ..core.diagnoses.mistakes import Diagnosis, Hypothesis
from ..i18n import N_, _

EXP_LIMIT = 700.0  # exp() overflows float64 beyond ~709.78; the stability family goes to 1000


def _s(f):
    return np.exp(-np.logaddexp(0.0, -f.inputs[0].astype(np.float64)))  # sigmoid(x), as forward computes it


def _twice(f):
    return np.exp(-np.logaddexp(0.0, -_s(f)))  # sigmoid(sigmoid(x))


def _x(f):
    return f.inputs[0].astype(np.float64)


HYPOTHESES = (
    Hypothesis("ignored_upstream", lambda f: _s(f) * (1.0 - _s(f)), lambda f: (
        (_("{name} ignores grad_out: it is the local derivative s * (1 - s) alone; multiply it by grad_out")
         .format(name=f.name)))),
    Hypothesis("wrong_local_derivative", lambda f: f.d * _s(f), lambda f: (
        (_("{name} matches grad_out * s: s = sigmoid(x) is not its own derivative; use s * (1 - s)")
         .format(name=f.name)))),
    Hypothesis("derivative_of_input", lambda f: f.d * _x(f) * (1.0 - _x(f)), lambda f: (
        _("{name} matches grad_out * x * (1 - x): that formula takes sigmoid's output s, not its input x; use "
          "s * (1 - s) with s = self.out").format(name=f.name))),
    Hypothesis("sigmoid_applied_twice", lambda f: f.d * _twice(f) * (1.0 - _twice(f)), lambda f: (
        _("{name} matches sigmoid applied twice: self.out is already sigmoid(x), so use it directly in s * (1 "
          "- s) instead of taking sigmoid of it again").format(name=f.name))),
    Hypothesis("wrong_local_derivative", lambda f: f.d * (1.0 - _s(f)), lambda f: (
        (_("{name} matches grad_out * (1 - s): a factor s is missing; the derivative is s * (1 - s)")
         .format(name=f.name)))),
    Hypothesis("sigmoid_of_upstream", lambda f: _s(f) * (1.0 - _s(f)) / (1.0 + np.exp(-f.d)), lambda f: (
        _("{name} matches sigmoid(grad_out) * s * (1 - s): sigmoid was applied to grad_out; multiply grad_out "
          "itself by s * (1 - s)").format(name=f.name))),
)


def nonfinite(f, what, where) -> Diagnosis:
    x = float(f.inputs[0][where])
    if abs(x) <= EXP_LIMIT:
        return Diagnosis()
    power = "-x" if x < 0 else "x"
    return Diagnosis("overflow", (_("{name} is {what} at x = {num} (index {index_text}): exp({power}) overflows "
                                    "for |x| this large; compute the derivative from the cached output s = "
                                    "self.out, as s * (1 - s), without exp")
                                  .format(name=f.name, what=what, num=num(x), index_text=index_text(where), power=power)))


# --------------------------------------------------------------------------- families

def _cases(kind="gradient", extreme=False):
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import array_shapes

    from ..core import strategies as s

    @st.composite
    def sigmoid(draw):
        shape = draw(array_shapes(min_dims=0, max_dims=3, max_side=4))
        rng = s.rng(draw)
        x = np.asarray(rng.uniform(-8.0, 8.0, size=shape), dtype=np.float64)
        if extreme:
            # Half the entries anywhere in [-1000, 1000]; the first one always beyond +-700, where
            # exp() of its magnitude overflows.
            far = rng.random(shape) < 0.5
            x = np.where(far, rng.uniform(-1000.0, 1000.0, size=shape), x)
            x.flat[0] = rng.choice([-1.0, 1.0]) * rng.uniform(700.0, 1000.0)
        grad_outs, mix = s.calls(rng, shape, kind)
        return s.Case((x,), grad_outs, mix, "stability" if extreme else "values")
    return sigmoid()


def _either(kind):
    from hypothesis import strategies as st

    return st.one_of(_cases(kind), _cases(kind, extreme=True))


def _naive_derivative(node, scope):
    """`grader strength`'s sigmoid-only mutation: the textbook derivative, which overflows."""
    import ast
    import copy

    def same(a, b):
        return ast.dump(a) == ast.dump(b)

    _c = copy.deepcopy
    # s * (1 - s) -> exp(-x) / (1 + exp(-x))**2: inf / inf = NaN where exp(-x) overflows.
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and isinstance(node.right, ast.BinOp)
            and isinstance(node.right.op, ast.Sub) and isinstance(node.right.left, ast.Constant)
            and node.right.left.value == 1):
        return []
    s, naive = node.right.right, ast.parse("np.exp(-self.x) / (1.0 + np.exp(-self.x)) ** 2", mode="eval").body
    if same(node.left, s):
        return [naive]
    if isinstance(node.left, ast.BinOp) and isinstance(node.left.op, ast.Mult) and same(node.left.right, s):
        return [ast.BinOp(_c(node.left.left), ast.Mult(), naive)]   # g * s * (1 - s), read (g * s) * (1 - s)
    return []


OP = OpSpec(
    key="sigmoid", class_name="Sigmoid", inputs=("x",),
    doc=N_("1 / (1 + exp(-x)) elementwise, without overflow for every finite x"),
    properties=(
        Property("sigmoid", "values", N_("inputs in [-8, 8], any shape including 0-d"), lambda: _cases()),
        Property("sigmoid", "stability", N_("inputs as large as +-1000: no overflow, no NaN"),
                 lambda: _cases(extreme=True)),
        Property("sigmoid", "upstream", UPSTREAM_DOC, lambda: _cases("upstream"), "upstream"),
        Property("sigmoid", "no_mutation", NO_MUTATION_DOC, lambda: _either("no_mutation"), "no_mutation"),
    ),
    points={"values": 4, "stability": 4, "upstream": 2, "no_mutation": 2},
    hypotheses=HYPOTHESES,
    nonfinite=nonfinite,
    mutations=(("naive_sigmoid_derivative", N_("writes exp(-x) / (1 + exp(-x))**2 for s * (1 - s)"), _naive_derivative),),
)
