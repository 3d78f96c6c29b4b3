"""Backprop homework, capstone: walk the graph backwards.

A network is a graph of op calls. ``Tape.apply(op, *inputs)`` runs ``op.forward`` on the inputs'
data and records the call as a ``Node`` (the op, its input tensors, its output tensor), so the
tape ends up holding every op call of the forward pass, in the order they ran. You write
``backward(loss)``, which walks that graph from the loss back to the leaves, and ``sgd_step``,
which trains the parameters with the gradients ``backward`` left on them.

Staged backprop, the way a circuit is read (CS231n, "Backpropagation, intuitions"):

* every gate (op) only knows its own local rule: the add gate *distributes* the gradient, the mul
  gate *swaps* its inputs, the max gate *routes* it, ``dW = Xᵀ G`` for a matmul;
* a gate may only pass a gradient back once it has the *whole* gradient of its output, i.e. after
  every consumer of that output has added its share: visit the nodes in *reverse topological
  order* (the reverse of the order they ran in is one);
* a value read by several gates (fan-out, or the same value twice into one gate) receives the
  *sum* of their gradients: accumulate with ``+=``, never overwrite with ``=``.

The tape's ops are the classes of ``ops.py`` (or any object with ``forward``/``backward`` that
follows the same contract): ``op.backward(grad_out)`` returns one entry per input, ``None`` for
an integer input (indices, labels), which gets no gradient.
"""

import numpy as np


class Tensor:
    """A value in the graph.

    ``data`` is its ndarray, ``node`` the `Node` that computed it (``None`` for a leaf: a parameter
    or an input), ``grad`` the gradient of the loss with respect to ``data`` once ``backward`` ran
    (``None`` until something gives it one). ``name`` is only for messages.
    """

    def __init__(self, data, node=None, name=""):
        self.data = data
        self.node = node
        self.grad = None
        self.name = name

    def __repr__(self):
        return f"Tensor({self.name or '?'}, shape={np.shape(self.data)})"


class Node:
    """One recorded op call: ``output = op.forward(*(t.data for t in inputs))``.

    ``inputs`` is the tuple of input tensors, in the op's argument order (the same tensor may
    appear twice), ``output`` the tensor it produced, ``tape`` the tape that recorded it and
    ``index`` its position there (nodes are recorded in the order they ran).
    """

    def __init__(self, op, inputs, tape, index):
        self.op, self.inputs, self.tape, self.index = op, tuple(inputs), tape, index
        self.output = None


class Tape:
    """Records op calls; ``nodes`` lists them in the order they ran."""

    def __init__(self):
        self.nodes = []

    def apply(self, op, *inputs, name=""):
        """Run ``op.forward`` on the inputs' data, record the call, return its output tensor."""
        node = Node(op, inputs, self, len(self.nodes))
        node.output = Tensor(np.asarray(op.forward(*(t.data for t in inputs))), node, name)
        self.nodes.append(node)
        return node.output


def backward(loss):
    """Give every float tensor that ``loss`` depends on its gradient, in ``.grad``.

    ``loss`` is a 0-d tensor computed on a tape. After the call:

    * ``loss.grad`` is ``np.ones_like(loss.data)`` (d loss / d loss = 1);
    * every float tensor the loss depends on, leaf or intermediate, has ``.grad`` equal to the
      gradient of the loss with respect to its ``data``, a float ndarray of the same shape;
    * integer tensors (indices, labels) keep ``grad = None``: their op's ``backward`` returns
      ``None`` for them; skip it, never turn it into an array;
    * a tensor the loss does not depend on (a node whose output nobody uses) gets no gradient:
      ``None`` is right, and so are zeros. Its node has no ``output.grad``: skip it, do not call
      its ``backward`` with ``None``.

    Walk the nodes in reverse topological order: a node's ``op.backward(node.output.grad)`` may
    run only once every consumer of its output has added its share to ``node.output.grad``.
    Reversing the tape's order (``reversed(loss.node.tape.nodes)``) is one such order; a
    depth-first topological sort from ``loss`` or Kahn's algorithm on consumer counts are others.
    Call each node's backward once, with its output's whole gradient (the upstream gradient:
    never ones).

    Accumulate: when an input already has a gradient (it fans out to several nodes, or a node
    reads it twice, ``Mul(x, x)``), add the new contribution to it, ``t.grad = t.grad + g``.
    Writing ``t.grad = g`` keeps only the last consumer's share. Leaves accumulate across calls
    too, exactly like PyTorch's ``.grad``: that is why ``sgd_step`` must zero them. Do not
    modify an array an op returned in place (``t.grad += g`` on an array that is also some other
    tensor's gradient changes both): add into a new array.
    """
    # YOUR CODE HERE
    raise NotImplementedError("backward is not implemented yet")


def sgd_step(params, lr):
    """One step of plain gradient descent, then zero the gradients.

    For every parameter tensor in ``params``: ``data = data - lr * grad``, then ``grad = None``
    (or zeros), so that the next ``backward`` starts from nothing. Without the zeroing, the next
    step's gradient is the sum of this step's and the next one's, because ``backward`` adds
    into ``.grad``. A parameter with no gradient (``grad is None``) stays as it is.
    """
    # YOUR CODE HERE
    raise NotImplementedError("sgd_step is not implemented yet")
