"""The reference Tanh (trusted: loaded only by the grading process)."""

import numpy as np


class Tanh:
    """``tanh(x)`` elementwise."""

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, grad_out):
        """Return ``(grad_x,)``."""
        ### BEGIN SOLUTION
        return (grad_out * (1.0 - self.out ** 2),)
        ### END SOLUTION
