"""Backprop homework: the backward pass of seven operations.

Every class has a ``forward`` that is given to you and a ``backward`` that you write.

* ``forward(*inputs)`` computes the output and caches on ``self`` what ``backward`` needs.
* ``backward(grad_out)`` receives the gradient of the loss with respect to the output
  (``grad_out`` always has the output's shape; it is a 0-d array for the loss) and returns
  one entry per forward input, in the same order: a float64 ndarray shaped exactly like that
  input, or ``None`` for an integer input (labels, indices). A tuple or a list both work.
* ``backward`` must not modify its inputs, the cache or ``grad_out`` in place: write
  ``g = grad_out * 2``, never ``grad_out *= 2``. It may be called more than once after one
  ``forward``, with different ``grad_out``, and must give the right answer every time.

All float data is float64. Use NumPy only.
"""

import numpy as np


class Mul:
    """``a * b`` elementwise, with NumPy broadcasting (either input may be 0-d)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad_out):
        """Return ``(grad_a, grad_b)``, shaped exactly like ``a`` and ``b``.

        Rule: the mul gate *swaps*: ``d(a*b)/da = b`` and ``d(a*b)/db = a``, each times
        ``grad_out``.

        Broadcasting: if ``a`` was stretched to the output's shape (missing leading axes, or
        axes of size 1), every copy of an element of ``a`` contributed to the output, so its
        gradient is the *sum* over the stretched axes. A ``(3, 1)`` input multiplied by a
        ``(4,)`` input gives a ``(3, 4)`` output; its gradient is summed over axis 1 with
        ``keepdims=True`` to get back to ``(3, 1)``. ``(4,)`` is not ``(1, 4)``: reshape to the
        input's exact shape.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Mul.backward is not implemented yet")


class Add:
    """``a + b`` elementwise, with NumPy broadcasting (either input may be 0-d)."""

    def forward(self, a, b):
        self.a_shape, self.b_shape = np.shape(a), np.shape(b)
        return a + b

    def backward(self, grad_out):
        """Return ``(grad_a, grad_b)``, shaped exactly like ``a`` and ``b``.

        Rule: the add gate *distributes*: both inputs receive ``grad_out`` unchanged.

        Broadcasting: an input that NumPy stretched (missing leading axes, axes of size 1)
        receives the *sum* of ``grad_out`` over the stretched axes, reshaped to its exact
        shape (a 0-d input gets the sum of everything, as a 0-d value).
        """
        # YOUR CODE HERE
        raise NotImplementedError("Add.backward is not implemented yet")


class Max:
    """``np.maximum(a, b)`` elementwise, with NumPy broadcasting."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, grad_out):
        """Return ``(grad_a, grad_b)``, shaped exactly like ``a`` and ``b``.

        Rule: the max gate *routes*: each element of ``grad_out`` goes entirely to the input
        that won, and the other input gets 0 there.

        Ties (``a == b``): any split of ``grad_out`` between ``a`` and ``b`` with shares in
        [0, 1] that add up to 1 is a valid subgradient and is accepted. The simplest rule is
        ``a >= b`` routes to ``a``: then a tie goes to ``a`` only. Never give the whole
        ``grad_out`` to both (that doubles it) or to neither (that loses it). Only exact
        equality is a tie: inputs that differ, however little, are not (so no ``np.isclose``).

        Broadcasting: sum over the stretched axes, exactly as for ``Mul``.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Max.backward is not implemented yet")


class Sigmoid:
    """``1 / (1 + exp(-x))`` elementwise, computed without overflow for every finite ``x``."""

    def forward(self, x):
        self.x = x
        # exp(-log(1 + exp(-x))) never overflows: logaddexp is stable at +-1000.
        self.out = np.exp(-np.logaddexp(0.0, -x))
        return self.out

    def backward(self, grad_out):
        """Return ``(grad_x,)``, shaped exactly like ``x``.

        Rule: with ``s = sigmoid(x)``, ``ds/dx = s * (1 - s)``. Use the output cached in
        ``self.out``. The tests feed inputs as large as +-1000, where ``np.exp(-x)`` overflows
        to ``inf`` for ``x`` near -1000: then ``exp(-x) / (1 + exp(-x))**2`` is ``inf / inf``
        and ``exp(-x) * s**2`` is ``inf * 0``, both NaN (``exp(x) / (1 + exp(x))**2`` fails the
        same way near +1000).
        """
        # YOUR CODE HERE
        raise NotImplementedError("Sigmoid.backward is not implemented yet")


class MatMul:
    """``a @ b`` with ``a`` of shape ``(m, n)`` and ``b`` of shape ``(n, p)``."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad_out):
        """Return ``(grad_a, grad_b)``, shaped ``(m, n)`` and ``(n, p)``.

        ``grad_out`` has shape ``(m, p)``. Find the formulas by matching shapes: the only way
        to make an ``(m, n)`` array from ``grad_out (m, p)`` and ``b (n, p)`` is
        ``grad_out @ b.T``, and the only way to make ``(n, p)`` from ``a (m, n)`` and
        ``grad_out (m, p)`` is ``a.T @ grad_out``. So, with ``G = grad_out``, the gradients are
        ``G Bᵀ`` for ``a`` and ``Aᵀ G`` for ``b``.

        Shapes alone do not catch a missing transpose when the matrices are square: the
        tests use square matrices too, so check the formula, not only the shapes.
        """
        # YOUR CODE HERE
        raise NotImplementedError("MatMul.backward is not implemented yet")


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits) against integer labels.

    ``logits`` has shape ``(N, C)`` (float), ``labels`` shape ``(N,)`` (int in ``[0, C)``).
    The output is the 0-d mean over the N rows of ``-log softmax(logits)[i, labels[i]]``.
    """

    def forward(self, logits, labels):
        self.logits, self.labels = logits, labels
        # Subtracting the row maximum changes nothing mathematically and keeps exp() finite.
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_softmax[np.arange(len(labels)), labels].mean()

    def backward(self, grad_out):
        """Return ``(grad_logits, None)``: ``grad_logits`` has shape ``(N, C)``; labels are integers.

        Rule: for one row, the derivative of ``-log softmax(z)[y]`` is ``softmax(z) - onehot(y)``.
        The loss is the *mean* over N rows, so each row's gradient is divided by N; and the
        whole thing is multiplied by ``grad_out`` (a 0-d value, not always 1).

        Compute the softmax stably, as ``forward`` does (subtract each row's maximum before
        ``exp``): the tests centre rows anywhere in [-1000, 1000] and spread some of them with a
        standard deviation of 300, so logits reach well beyond +-1000.
        """
        # YOUR CODE HERE
        raise NotImplementedError("SoftmaxCrossEntropy.backward is not implemented yet")


class Embedding:
    """Row lookup: ``weight[indices]``.

    ``weight`` has shape ``(V, D)``; ``indices`` is an integer array of any shape (it may
    repeat rows and skip others). The output has shape ``indices.shape + (D,)``.
    """

    def forward(self, weight, indices):
        self.weight, self.indices = weight, indices
        return weight[indices]

    def backward(self, grad_out):
        """Return ``(grad_weight, None)``: ``grad_weight`` has shape ``(V, D)``; indices are integers.

        Rule: a lookup is a matrix product with one-hot rows, ``onehot(indices) @ weight``, so
        row ``v`` of ``grad_weight`` is the *sum* of the rows of ``grad_out`` whose index is
        ``v``, and 0 for rows never looked up. When an index repeats, its contributions must
        add up: ``grad_weight[indices] += grad_out`` keeps only one of them (fancy-index
        assignment does not accumulate); ``np.add.at`` does.
        """
        # YOUR CODE HERE
        raise NotImplementedError("Embedding.backward is not implemented yet")
