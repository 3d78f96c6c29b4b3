"""Random graphs for grading the student's ``backward(loss)`` on its own.

Each node is the grader's `Linear` op (harness.py): ``out = (sum_i J_i x_i)[index]``, with random
Jacobians ``J_i`` drawn from the case's seed. The exact gradient of the loss with respect to every
tensor is then a product of known matrices (`exact_grads`), so no op of the student's (and none
of the seven references) is involved: a mistake in an op can never cost graph points, and the
answers give nothing of the ops away.

Hypothesis draws the *structure* (strategies.py: which tensor feeds which node, sizes, the
tape's order) and a 32-bit seed; ``numpy.random.default_rng(seed)`` draws the values here, as for
the ops (grader/cases.py says why). This module never imports Hypothesis: grading from cached
cases (cache.py) does not need it.
"""

import functools
from dataclasses import dataclass

import numpy as np

GRAPH = 0   # harness.GRAPH
LEARNING_RATE = 0.5


@dataclass(frozen=True)
class GraphCase:
    integer: tuple        # per leaf: True for an integer (index) leaf
    sizes: tuple          # per leaf: its length
    bounds: tuple         # per leaf: an integer leaf's values lie in [0, bound)
    nodes: tuple          # per node: (input tensor ids, size before the index selection)
    seed: int
    steps: int = 1

    @property
    def leaves(self) -> int:
        return len(self.integer)

    @property
    def count(self) -> int:
        return self.leaves + len(self.nodes)

    def name(self, tensor: int) -> str:
        return f"t{tensor}"

    def slot_is_integer(self, tensor: int) -> bool:
        return tensor < self.leaves and self.integer[tensor]


# --------------------------------------------------------------------- values and exact answers

def _frozen(arrays):
    """`arrays` made read-only: the cached values are shared by every submission a process grades."""
    for array in arrays:
        array.setflags(write=False)
    return arrays


@functools.cache   # a batch judges every student on the same cases: draw each case's values once
def values(case: GraphCase) -> tuple:
    """(leaf data, per node its Jacobians for its float inputs): all from the case's seed, read-only."""
    rng = np.random.default_rng(case.seed)
    data = [rng.integers(0, bound, size) if integer else rng.normal(size=size)
            for integer, size, bound in zip(case.integer, case.sizes, case.bounds)]
    sizes = list(case.sizes)
    jacobians = []
    for inputs, pre in case.nodes:
        floats = [i for i in inputs if not case.slot_is_integer(i)]
        jacobians.append([rng.normal(size=(pre, sizes[i])) / np.sqrt(sizes[i] * len(floats)) for i in floats])
        index = next((i for i in inputs if case.slot_is_integer(i)), None)
        sizes.append(pre if index is None else case.sizes[index])
    return tuple(_frozen(data)), tuple(tuple(_frozen(js)) for js in jacobians)


def request(case: GraphCase) -> tuple:
    """(program, arrays) for the harness (harness.py documents the layout)."""
    data, jacobians = values(case)
    program = [GRAPH, case.leaves, len(case.nodes), case.steps, *map(int, case.integer)]
    for inputs, _ in case.nodes:
        program += [len(inputs), *inputs]
    arrays = [*data, *(j for js in jacobians for j in js), np.array([LEARNING_RATE])]
    return np.array(program, dtype=np.int64), arrays


def consumers(case: GraphCase) -> dict:
    """tensor id -> [(node's output id, slot)] for every place it is read."""
    found = {}
    for number, (inputs, _) in enumerate(case.nodes):
        for slot, tensor in enumerate(inputs):
            found.setdefault(tensor, []).append((case.leaves + number, slot))
    return found


def contribution(case, jacobians, data, node_output: int, slot: int, upstream):
    """What node `node_output` passes back to its input `slot`, given its output's gradient."""
    number = node_output - case.leaves
    inputs, pre = case.nodes[number]
    g = np.asarray(upstream, dtype=float).reshape(-1)
    index = next((i for i in inputs if case.slot_is_integer(i)), None)
    if index is not None:
        spread = np.zeros(pre)
        np.add.at(spread, data[index], g)
        g = spread
    floats = [s for s, i in enumerate(inputs) if not case.slot_is_integer(i)]
    return jacobians[number][floats.index(slot)].T @ g


@functools.cache
def exact_grads(case: GraphCase) -> tuple:
    """The true gradient of the loss for every tensor: an array (read-only), or None where there is
    none (integer leaves, and tensors the loss does not depend on)."""
    data, jacobians = values(case)
    grads = [None] * case.count
    grads[-1] = np.ones(())
    for output in range(case.count - 1, case.leaves - 1, -1):
        if grads[output] is None:
            continue
        for slot, tensor in enumerate(case.nodes[output - case.leaves][0]):
            if case.slot_is_integer(tensor):
                continue
            g = contribution(case, jacobians, data, output, slot, grads[output])
            grads[tensor] = g if grads[tensor] is None else grads[tensor] + g
    _frozen([g for g in grads if g is not None])
    return tuple(grads)
