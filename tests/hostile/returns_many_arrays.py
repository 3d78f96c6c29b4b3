"""Mul.backward returns 64 arrays of 56 KB each, hoping to fill the grader's memory with replies.

Each array is under the per-array cap, so the worker sends them all; the grader keeps at most
64 MiB (plus 8x the inputs) of replies per batch and fails the rest of the batch beyond that.

Expected: mul fails as in-process ("backward returned 64 values; expected 2: ..."), every
other op keeps full marks, and the grader's memory stays bounded.
"""
import numpy as np

OP = "mul"

_MANY = tuple(np.full(7000, float(i)) for i in range(64))


class Mul(Mul):
    def backward(self, grad_out):
        return _MANY
