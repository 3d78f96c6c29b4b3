"""Mul.backward returns object arrays whose elements claim to equal anything.

Expected: object arrays never cross the pipe (they would need pickle): the grader sees
"grad_a is a ndarray of dtype object; it must be a float64 ndarray ..."; mul scores 0, every
other op keeps full marks.
"""
import numpy as np

OP = "mul"


class _MulAlwaysEqual:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.0


class Mul(Mul):
    def backward(self, grad_out):
        grads = []
        for shape in (np.shape(self.a), np.shape(self.b)):
            grad = np.empty(shape, dtype=object)
            grad[...] = _MulAlwaysEqual()
            grads.append(grad)
        return tuple(grads)
