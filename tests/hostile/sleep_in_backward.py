"""Mul.backward sleeps for an hour (no CPU used, so only a wall-clock limit stops it).

Expected: mul fails with "Mul.backward timed out after N s"; every other op keeps full marks.
"""
import time

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        time.sleep(3600)
