"""Mul.backward hunts the process's memory for expected values or the reference module.

It walks gc.get_objects() and sys.modules for anything named like the grader, the reference,
an oracle or an expected gradient, and the caller frames for locals named "expected".

Expected: the worker never holds any of them (and gc.get_objects is refused), so Mul falls
back to zeros and scores 0; every other op keeps full marks.
"""
import gc
import sys

import numpy as np

OP = "mul"


def _mul_find_expected():
    names = [n for n in list(sys.modules) if n == "grader" or n.startswith(("grader.", "backprop_reference"))]
    if names:
        return names
    try:
        return [o for o in gc.get_objects() if type(o).__name__ in ("Expected", "Reference", "Example", "Bank")]
    except Exception:  # noqa: BLE001
        pass
    frame, found = sys._getframe(), []
    while frame is not None:
        found += [v for k, v in frame.f_locals.items() if "expected" in k.lower()]
        frame = frame.f_back
    return found


class Mul(Mul):
    def backward(self, grad_out):
        if _mul_find_expected():
            raise RuntimeError("found the grader's secrets")
        return np.zeros(np.shape(self.a)), np.zeros(np.shape(self.b))
