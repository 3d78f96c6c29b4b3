"""__slots__ with a dataclass(slots=True), generator helpers, list returns, math.prod,
statistics, and a module-level np.set_printoptions."""
import math
import statistics
from dataclasses import dataclass

# {reference}

np.set_printoptions(precision=3)


@dataclass(slots=True, frozen=True)
class Pair:
    a: object
    b: object


def _grads(grad_out, pair):
    yield grad_out @ pair.b.T
    yield pair.a.T @ grad_out


class MatMul:
    __slots__ = ("pair",)

    def forward(self, a, b):
        self.pair = Pair(a, b)
        return a @ b

    def backward(self, grad_out):
        grads = list(_grads(grad_out, self.pair))
        assert math.prod(grads[0].shape) == self.pair.a.size
        _ = statistics.fmean([1.0, 2.0])
        return grads
