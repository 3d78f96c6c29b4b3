"""Mul.backward returns ndarray subclasses that claim to equal anything and hide their values.

Comparison operators, subtraction, abs, __array_ufunc__ and __array_function__ all answer
"equal" or zero; the data are ones.

Expected: the worker reduces every result to a plain ndarray copy of its data before it is
sent, so the judge sees ones: mul scores 0 and every other op keeps full marks.
"""
import numpy as np

OP = "mul"


class _MulLiar(np.ndarray):
    def __eq__(self, other):
        return True

    __le__ = __ge__ = __eq__

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return np.zeros(np.shape(other))

    __rsub__ = __sub__

    def __abs__(self):
        return np.zeros(self.shape)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True

    def __array_function__(self, func, types, args, kwargs):
        return True


class Mul(Mul):
    def backward(self, grad_out):
        return (np.ones(np.shape(self.a)).view(_MulLiar), np.ones(np.shape(self.b)).view(_MulLiar))
