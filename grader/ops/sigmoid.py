"""sigmoid: ``1 / (1 + exp(-x))`` elementwise; the classic wrong local derivatives, and exp() overflow
at large |x|."""

import numpy as np

from ..core.diagnoses.failure import index_text, num
from ..core.cases import NO_MUTATION_DOC, UPSTREAM_DOC, Property
from ..core.contract import OpSpec
from ..core.diagnoses.mistakes import Diagnosis, Hypothesis

EXP_LIMIT = 700.0  # exp() overflows float64 beyond ~709.78; the stability family goes to 1000


def _s(f):
    return np.exp(-np.logaddexp(0.0, -f.inputs[0].astype(np.float64)))  # sigmoid(x), as forward computes it


def _twice(f):
    return np.exp(-np.logaddexp(0.0, -_s(f)))  # sigmoid(sigmoid(x))


def _x(f):
    return f.inputs[0].astype(np.float64)


HYPOTHESES = (
    Hypothesis("ignored_upstream", lambda f: _s(f) * (1.0 - _s(f)), lambda f: (
        f"{f.name} ignores grad_out: it is the local derivative s * (1 - s) alone; multiply it by grad_out")),
    Hypothesis("wrong_local_derivative", lambda f: f.d * _s(f), lambda f: (
        f"{f.name} matches grad_out * s: s = sigmoid(x) is not its own derivative; use s * (1 - s)")),
    Hypothesis("derivative_of_input", lambda f: f.d * _x(f) * (1.0 - _x(f)), lambda f: (
        f"{f.name} matches grad_out * x * (1 - x): that formula takes sigmoid's output s, not its input x; use "
        f"s * (1 - s) with s = self.out")),
    Hypothesis("sigmoid_applied_twice", lambda f: f.d * _twice(f) * (1.0 - _twice(f)), lambda f: (
        f"{f.name} matches sigmoid applied twice: self.out is already sigmoid(x), so use it directly in "
        f"s * (1 - s) instead of taking sigmoid of it again")),
    Hypothesis("wrong_local_derivative", lambda f: f.d * (1.0 - _s(f)), lambda f: (
        f"{f.name} matches grad_out * (1 - s): a factor s is missing; the derivative is s * (1 - s)")),
    Hypothesis("sigmoid_of_upstream", lambda f: _s(f) * (1.0 - _s(f)) / (1.0 + np.exp(-f.d)), lambda f: (
        f"{f.name} matches sigmoid(grad_out) * s * (1 - s): sigmoid was applied to grad_out; multiply grad_out "
        f"itself by s * (1 - s)")),
)


def nonfinite(f, what, where) -> Diagnosis:
    x = float(f.inputs[0][where])
    if abs(x) <= EXP_LIMIT:
        return Diagnosis()
    power = "-x" if x < 0 else "x"
    return Diagnosis("overflow", f"{f.name} is {what} at x = {num(x)} (index {index_text(where)}): exp({power}) "
                     f"overflows for |x| this large; compute the derivative from the cached output s = self.out, "
                     f"as s * (1 - s), without exp")


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


OP = OpSpec(
    key="sigmoid", class_name="Sigmoid", inputs=("x",),
    doc="1 / (1 + exp(-x)) elementwise, without overflow for every finite x",
    properties=(
        Property("sigmoid", "values", "inputs in [-8, 8], any shape including 0-d", lambda: _cases()),
        Property("sigmoid", "stability", "inputs as large as +-1000: no overflow, no NaN",
                 lambda: _cases(extreme=True)),
        Property("sigmoid", "upstream", UPSTREAM_DOC, lambda: _cases("upstream"), "upstream"),
        Property("sigmoid", "no_mutation", NO_MUTATION_DOC, lambda: _either("no_mutation"), "no_mutation"),
    ),
    points={"values": 4, "stability": 4, "upstream": 2, "no_mutation": 2},
    hypotheses=HYPOTHESES,
    nonfinite=nonfinite,
)
