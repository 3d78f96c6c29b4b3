"""Mul.backward writes a false position into the worker's progress page (the batch's last
example, in backward), then kills the worker.

Expected: the crash is pinned where the worker claims, so the examples before that point run
again in fresh workers, which crash and lie again. After four such failures mul stops, within
its time bound, and scores 0 with the crash as its reason; the other ops keep full marks.
"""
import os
import sys

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        frame = sys._getframe(1)
        while frame is not None and "cases" not in frame.f_locals:  # the worker's run()
            frame = frame.f_back
        if frame is not None:
            worker, last = frame.f_locals["self"], len(frame.f_locals["cases"]) - 1
            worker.progress.page[0:8] = ((last + 1) * 2 + 1).to_bytes(8, "little")
        os._exit(9)
