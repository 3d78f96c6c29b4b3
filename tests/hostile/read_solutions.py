"""Mul.backward is correct only if it can read the hidden reference from disk; else zeros.

It tries the grader's working folder through /proc/<parent>/cwd, the grader's files through
/proc/<parent>/root and its command line and environment, the usual checkout paths, and
`import grader.paths`.

Expected: every read is refused, so Mul returns zeros and scores 0 (had any read worked, it
would score full marks); every other op keeps full marks.
"""
import os

import numpy as np

OP = "mul"


def _mul_steal():
    parent = os.getppid()
    for path in (f"/proc/{parent}/cwd/solutions/backprop/ops.py", "/work/main/solutions/backprop/ops.py",
                 f"/proc/{parent}/environ", f"/proc/{parent}/cmdline", f"/proc/{parent}/mem",
                 "../../work/main/solutions/backprop/ops.py"):
        try:
            with open(path, "rb") as stolen:
                if stolen.read(4096):
                    return True
        except (OSError, ValueError):
            pass
    try:
        from grader.paths import solutions_path
        return bool(solutions_path().read_text())
    except Exception:  # noqa: BLE001
        return False


STOLEN = _mul_steal()


class Mul(Mul):
    def backward(self, grad_out):
        if STOLEN:
            return super().backward(grad_out)
        return np.zeros(np.shape(self.a)), np.zeros(np.shape(self.b))
