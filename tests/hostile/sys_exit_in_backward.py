"""Mul.backward calls sys.exit(0), hoping an exit looks like success.

Expected: SystemExit is an ordinary error of Mul.backward, as in-process: "Mul.backward
raised SystemExit: 0 (ops.py, line N)"; mul scores 0, every other op full marks.
"""
import sys

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        sys.exit(0)
