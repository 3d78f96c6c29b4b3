"""At import, makes numpy's comparisons always agree, then Mul returns zeros.

np.allclose, np.isclose, np.array_equal, np.array_equiv and np.testing's assertions are
replaced by functions that say "equal".

Expected: only the worker's numpy is patched; the grader compares in its own process, so mul
scores 0 and every other op (which does not use those functions) keeps full marks.
"""
import numpy as np

OP = "mul"

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = np.array_equiv = lambda *args, **kwargs: True
np.testing.assert_allclose = np.testing.assert_array_equal = lambda *args, **kwargs: None


class Mul(Mul):
    def backward(self, grad_out):
        return np.zeros(np.shape(self.a)), np.zeros(np.shape(self.b))
