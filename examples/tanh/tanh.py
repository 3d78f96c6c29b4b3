"""tanh: ``np.tanh(x)`` elementwise, one input of any shape (0-d included).

Everything the grader knows about this op is declared in `OP`: its contract (class ``Tanh``, one
float input ``x``), its property families (what each is tested on, the one line students read,
the strategy that draws its examples), its default points, and the misconceptions its feedback
can name. The reference backward is ``tanh_reference.py`` beside this file; it is loaded only in
the trusted grading process.

Families: ``values`` (x in [-4, 4], where tanh' ranges from 1 down to 1.3e-3, so a wrong formula
cannot hide), ``stability`` (half the entries anywhere in [-1000, 1000] and the first beyond
+-700, where ``exp(x)`` and ``exp(2x)`` overflow float64), ``upstream`` and ``no_mutation`` (the
generic checks, judged as for every op). Hypothesis is imported only when examples are drawn.
"""

import numpy as np

from grader.ops.api import NO_MUTATION_DOC, UPSTREAM_DOC, Diagnosis, Hypothesis, OpSpec, Property

VALUES = (-4.0, 4.0)   # the values family's range
FAR = (700.0, 1000.0)  # |x| of the stability family's first entry: exp(|x|) overflows beyond ~709.78
EXP_LIMIT = 355.0      # exp(2|x|) overflows beyond ~354.9: below this no formula of exp can give NaN


def _cases(kind="gradient", extreme=False):
    """The Hypothesis strategy of one family (called only when examples are drawn)."""
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import array_shapes

    from grader.ops import draws

    @st.composite
    def case(draw):
        shape = draw(array_shapes(min_dims=0, max_dims=3, max_side=4))
        rng = draws.rng(draw)
        x = np.asarray(rng.uniform(*VALUES, size=shape), dtype=np.float64)
        if extreme:
            far = rng.random(shape) < 0.5
            x = np.where(far, rng.uniform(-1000.0, 1000.0, size=shape), x)
            x.flat[0] = rng.choice([-1.0, 1.0]) * rng.uniform(*FAR)
        grad_outs, mix = draws.calls(rng, shape, kind)
        return draws.Case((x,), grad_outs, mix, "stability" if extreme else "values")
    return case()


def _either_range(kind):
    from hypothesis import strategies as st

    return st.one_of(_cases(kind), _cases(kind, extreme=True))


# --------------------------------------------------------------------------- what feedback can name

def _t(f):
    return np.tanh(f.inputs[0].astype(np.float64))  # as the given forward computes it


def _overflow(f, what, where) -> Diagnosis:
    x = float(f.inputs[0][where])
    if abs(x) <= EXP_LIMIT:
        return Diagnosis()
    return Diagnosis("overflow", f"{f.name} is {what} at x = {x:.6g}: exp(x) or exp(2x) overflows for |x| this "
                     f"large; compute the derivative from the cached output t = self.out, as 1 - t**2, without exp")


HYPOTHESES = (
    Hypothesis("ignored_upstream", lambda f: 1.0 - _t(f) ** 2, lambda f: (
        f"{f.name} ignores grad_out: it is the local derivative 1 - t**2 alone; multiply it by grad_out")),
    Hypothesis("missing_square", lambda f: f.d * (1.0 - _t(f)), lambda f: (
        f"{f.name} matches grad_out * (1 - t): the derivative of tanh is 1 - t**2, with t squared")),
    Hypothesis("derivative_of_input", lambda f: f.d * (1.0 - f.inputs[0].astype(np.float64) ** 2), lambda f: (
        f"{f.name} matches grad_out * (1 - x**2): the formula 1 - t**2 takes tanh's output t = self.out, "
        f"not its input x")),
)

OP = OpSpec(
    key="tanh", class_name="Tanh", inputs=("x",),
    doc="tanh(x) elementwise, any shape",
    properties=(
        Property("tanh", "values", "inputs in [-4, 4], any shape including 0-d", lambda: _cases()),
        Property("tanh", "stability", "inputs as large as +-1000: no overflow, no NaN",
                 lambda: _cases(extreme=True)),
        Property("tanh", "upstream", UPSTREAM_DOC, lambda: _cases("upstream"), "upstream"),
        Property("tanh", "no_mutation", NO_MUTATION_DOC, lambda: _either_range("no_mutation"), "no_mutation"),
    ),
    points={"values": 4, "stability": 3, "upstream": 2, "no_mutation": 2},
    hypotheses=HYPOTHESES,
    nonfinite=_overflow,
)
