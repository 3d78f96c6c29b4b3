"""Mul.backward writes a forged "done" message and a forged reply straight onto the reply pipe.

Expected: the grader reads the forged frames as what they are, out-of-order messages: mul
fails with "the worker sent an invalid reply while running Mul (...)", a fresh
worker grades the other ops, which keep full marks.
"""
import json
import os
import struct

OP = "mul"


def _mul_frame(header):
    text = json.dumps(header).encode()
    return b"BPF2" + struct.pack("<III", len(text), 2, 0) + text + b"[]"


class Mul(Mul):
    def backward(self, grad_out):
        forged = _mul_frame({"type": "done", "classes": ["Mul"], "threads": 1})
        forged += _mul_frame({"type": "cases", "cases": [{"i": 10**6, "error": "", "output": None, "returns": []}]})
        for fd in range(3, 1024):
            try:
                os.write(fd, forged)
            except OSError:
                pass
        return super().backward(grad_out)
