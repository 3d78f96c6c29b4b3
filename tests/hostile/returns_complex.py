"""Mul.backward returns the right gradients as complex128 arrays (zero imaginary part).

Expected: as in-process, "grad_a has dtype complex128; it must be float64"; mul scores 0,
every other op keeps full marks.
"""
import numpy as np

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        return tuple(np.asarray(grad, dtype=complex) for grad in super().backward(grad_out))
