"""Mul.backward calls os._exit(7): the worker process disappears mid-op.

Expected: mul fails with "the worker exited (status 7) while running Mul.backward"; a fresh
worker grades the other ops, which keep full marks.
"""
import os

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        os._exit(7)
