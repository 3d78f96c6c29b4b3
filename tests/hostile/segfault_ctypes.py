"""Mul.backward dereferences address 0 with ctypes (numpy has ctypes loaded already).

Expected: the sandbox refuses ctypes ("Mul.backward raised PermissionError: the sandbox does
not allow ctypes...") or, had it got through, the worker would crash; either way mul scores
0 and every other op keeps full marks.
"""
import sys

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        ctypes = sys.modules.get("ctypes") or __import__("ctypes")
        return ctypes.string_at(0, 16), None
