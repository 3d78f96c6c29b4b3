"""Hypothesis strategies for the capstone's cases: the families of graphs and the network's sizes.

Each family draws a graph's *structure* (dags.GraphCase: which tensor feeds which node, sizes,
the tape's order) and a seed: the issue's families are a chain, fan-out of 2 and 3, one value
twice into one node, a node whose output is unused, a deep graph, integer inputs, and two
training steps (gradients zeroed in between). Imported only to draw cases (cache.py).
"""

from hypothesis import strategies as st

from .dags import GraphCase
from .network import NetCase


class Builder:
    """Tensors in creation order; `case` renumbers them leaves first, then nodes in tape order."""

    def __init__(self, draw):
        self.draw, self.kinds = draw, []   # per tensor: ("leaf", size, integer) or ("node", inputs, pre)

    def size(self):
        return self.draw(st.integers(1, 4))

    def leaf(self, integer=False, size=None):
        self.kinds.append(["leaf", size or self.size(), integer, 0])
        return len(self.kinds) - 1

    def node(self, *inputs, pre=None):
        pre = pre or self.size()
        for i in inputs:
            if self.kinds[i][0] == "leaf" and self.kinds[i][2]:
                self.kinds[i][3] = pre
        self.kinds.append(["node", tuple(inputs), pre])
        return len(self.kinds) - 1

    def loss(self, *inputs):
        return self.node(*inputs, pre=1)

    def case(self, steps=1) -> GraphCase:
        leaves = [i for i, k in enumerate(self.kinds) if k[0] == "leaf"]
        nodes = [i for i, k in enumerate(self.kinds) if k[0] == "node"]
        new = {old: new for new, old in enumerate(leaves + nodes)}
        return GraphCase(tuple(self.kinds[i][2] for i in leaves), tuple(self.kinds[i][1] for i in leaves),
                         tuple(self.kinds[i][3] for i in leaves),
                         tuple((tuple(new[j] for j in self.kinds[i][1]), self.kinds[i][2]) for i in nodes),
                         self.draw(st.integers(0, 2**32 - 1)), steps)


def _tail(b, tensor, length):
    """`length` more single-input nodes after `tensor`: the tape's order then matters."""
    for _ in range(length):
        tensor = b.node(tensor)
    return tensor


@st.composite
def chain(draw):
    b = Builder(draw)
    b.loss(_tail(b, b.leaf(), draw(st.integers(0, 5))))
    return b.case()


@st.composite
def fan_out(draw):
    """A leaf or an intermediate read by 2 or 3 nodes, whose branches have different lengths."""
    b = Builder(draw)
    shared = b.leaf() if draw(st.booleans()) else b.node(b.leaf())
    branches = [_tail(b, b.node(shared), draw(st.integers(0, 2))) for _ in range(draw(st.integers(2, 3)))]
    if draw(st.booleans()):   # the branches meet again before the loss
        branches = [b.node(*branches)]
    b.loss(*branches)
    return b.case()


@st.composite
def repeated_input(draw):
    """One node reads the same tensor twice (``Mul(x, x)``), maybe beside another input."""
    b = Builder(draw)
    shared = b.leaf() if draw(st.booleans()) else b.node(b.leaf())
    inputs = [shared, shared] + ([b.leaf()] if draw(st.booleans()) else [])
    order = draw(st.permutations(inputs))
    b.loss(_tail(b, b.node(*order), draw(st.integers(0, 2))))
    return b.case()


@st.composite
def unused_output(draw):
    """A node whose output nothing reads, recorded before or after the nodes that matter."""
    b = Builder(draw)
    x = b.leaf()
    early = draw(st.booleans())
    dangling = [_tail(b, b.node(x), draw(st.integers(0, 1)))] if early else []
    h = b.node(x)
    if not early:
        _tail(b, b.node(h if draw(st.booleans()) else x), draw(st.integers(0, 1)))
    if draw(st.booleans()):
        b.node(b.leaf())   # a node of its own leaf, unused too
    b.loss(h)
    return b.case()


@st.composite
def deep(draw):
    """A chain of 20 to 40 nodes with one or two skip connections (a residual shape)."""
    b = Builder(draw)
    depth = draw(st.integers(20, 40))
    skips = set(draw(st.lists(st.integers(2, depth - 1), min_size=1, max_size=2)))
    tensors = [b.node(b.leaf())]
    for k in range(1, depth):
        back = tensors[k - 1 - draw(st.integers(1, min(3, k)))] if k in skips and k > 1 else None
        tensors.append(b.node(tensors[-1], back) if back is not None else b.node(tensors[-1]))
    b.loss(tensors[-1])
    return b.case()


@st.composite
def integer_inputs(draw):
    """Nodes that also read an integer index leaf (it selects, and may repeat, entries)."""
    b = Builder(draw)
    x = b.leaf()
    h = b.node(x, b.leaf(integer=True)) if draw(st.booleans()) else b.node(b.leaf(integer=True), x)
    k = b.node(h, x, b.leaf(integer=True))
    b.loss(k, h)
    return b.case()


@st.composite
def two_steps(draw):
    """A fan-out graph trained for two steps: the second step's gradients must be fresh."""
    b = Builder(draw)
    x, w = b.leaf(), b.leaf()
    h = b.node(x, w)
    b.loss(b.node(h), b.node(h, w))
    return b.case(steps=2)


FAMILIES = {"chain": chain(), "fan_out": fan_out(), "repeated_input": repeated_input(),
            "unused_output": unused_output(), "deep": deep(), "integer_inputs": integer_inputs(),
            "zero_grad": two_steps()}


SIZES = st.builds(NetCase, st.integers(1, 4), st.integers(1, 3), st.integers(2, 5), st.integers(1, 4),
                  st.integers(0, 2**32 - 1))
