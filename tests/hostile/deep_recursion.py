"""Mul.backward raises the recursion limit and recurses until the C stack overflows.

Expected: depending on the Python version the worker crashes (SIGSEGV), raises RecursionError
or MemoryError, or runs out of time; mul scores 0 and every other op keeps full marks.
"""
import sys

OP = "mul"


def _mul_down(n):
    return _mul_down(n + 1) + 1


class Mul(Mul):
    def backward(self, grad_out):
        sys.setrecursionlimit(10**8)
        return _mul_down(0)
