"""Mul.backward closes every descriptor it has, so the worker can no longer reply.

Expected: mul fails with "the worker exited (status ...) while running Mul.backward" (or the
reply channel closing); a fresh worker grades the other ops, which keep full marks.
"""
import os

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        os.closerange(0, 256)
        return super().backward(grad_out)
