"""Mul.backward returns an 8 MB array (1000 x 1000) as every gradient.

Expected: the worker sends only its name, "ndarray of shape (1000, 1000)", since no correct
gradient of these examples is that large; mul scores 0 quickly, every other op keeps full marks.
"""
import numpy as np

OP = "mul"

HUGE = np.zeros((1000, 1000))


class Mul(Mul):
    def backward(self, grad_out):
        return HUGE, HUGE
