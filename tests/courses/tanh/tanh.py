"""tanh: one input, elementwise (a course op, declared through grader.ops.api only)."""

from grader.ops.api import NO_MUTATION_DOC, UPSTREAM_DOC, Hypothesis, OpSpec, Property


def _cases(kind="gradient"):
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import array_shapes

    from grader.ops import draws

    @st.composite
    def case(draw):
        shape = draw(array_shapes(min_dims=0, max_dims=3, max_side=4))
        rng = draws.rng(draw)
        x = draws.normal(rng, shape, 2.0)
        grad_outs, mix = draws.calls(rng, shape, kind)
        return draws.Case((x,), grad_outs, mix, "values")
    return case()


def _forgot_square(f):
    import numpy as np

    return f.d * (1.0 - np.tanh(f.inputs[0]))


OP = OpSpec(
    key="tanh", class_name="Tanh", inputs=("x",),
    doc="tanh(x) elementwise",
    properties=(
        Property("tanh", "values", "inputs of any shape", lambda: _cases()),
        Property("tanh", "upstream", UPSTREAM_DOC, lambda: _cases("upstream"), "upstream"),
        Property("tanh", "no_mutation", NO_MUTATION_DOC, lambda: _cases("no_mutation"), "no_mutation"),
    ),
    points={"values": 6, "upstream": 2, "no_mutation": 2},
    hypotheses=(Hypothesis("missing_square", _forgot_square,
                           lambda f: f"{f.name} matches grad_out * (1 - t): the derivative is 1 - t**2"),),
)
