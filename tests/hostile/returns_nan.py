"""Mul.backward returns NaN everywhere (NaN compares unequal, and some checks skip NaN).

Expected: as in-process, "grad_a contains nan at index ..."; mul scores 0, every other op
keeps full marks.
"""
import numpy as np

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        return np.full(np.shape(self.a), np.nan), np.full(np.shape(self.b), np.nan)
