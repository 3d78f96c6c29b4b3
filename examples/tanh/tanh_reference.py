"""The reference ``Tanh``: trusted, loaded only in the grading process.

Students receive this class with the body of ``backward`` removed (everything between the
solution markers); its docstrings are the spec they read.
"""

import numpy as np


class Tanh:
    """``np.tanh(x)`` elementwise, for ``x`` of any shape (0-d included)."""

    def forward(self, x):
        self.x = x
        self.out = np.tanh(x)  # np.tanh is exact and finite for every finite x
        return self.out

    def backward(self, grad_out):
        """Return ``(grad_x,)``, shaped exactly like ``x``: a one-element tuple.

        Rule: with ``t = tanh(x)``, ``dt/dx = 1 - t**2``, times ``grad_out``. Use the output
        cached in ``self.out``. The tests feed inputs as large as +-1000, where ``np.exp(x)``
        overflows to ``inf``: then ``(2 / (np.exp(x) + np.exp(-x)))**2`` is still fine but
        ``2 * np.exp(x) / (np.exp(2 * x) + 1)`` is ``inf / inf``, NaN. The formula from ``t``
        needs no ``exp`` at all.
        """
        ### BEGIN SOLUTION
        return (grad_out * (1.0 - self.out * self.out),)
        ### END SOLUTION
