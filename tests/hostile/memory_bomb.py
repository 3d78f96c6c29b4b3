"""Mul.backward allocates until something gives: first an 8 TB array, then 100 MB at a time.

Expected: the address-space limit (RLIMIT_AS) stops it: "Mul.backward exceeded the memory
limit (...)"; mul scores 0, every other op keeps full marks, and the grading process is
unharmed. (np.empty reserves without touching, so the limit, not the clock, ends it quickly;
a bomb that writes its memory is stopped by whichever of the two comes first.)
"""
import numpy as np

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        try:
            np.ones(10**12)
        except MemoryError:
            pass
        hoard = []
        while True:
            hoard.append(np.empty(100 * 2**20 // 8))
