"""functools.lru_cache on a shape helper, __all__, module constants, and an
`if __name__ == "__main__":` self-test block that must never run when graded."""
__all__ = ["Mul", "Add", "Max", "Sigmoid", "MatMul", "SoftmaxCrossEntropy", "Embedding"]

import functools

# {reference}

EPS = 1e-12
KEEP = True


@functools.lru_cache(maxsize=None)
def _reduction_axes(grad_shape: tuple, shape: tuple) -> tuple:
    """(leading axes, stretched axes) to sum so that grad_shape goes back to shape."""
    leading = len(grad_shape) - len(shape)
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad_shape[leading + i] != 1)
    return tuple(range(leading)), stretched


def _reduce(grad, shape):
    leading, stretched = _reduction_axes(tuple(grad.shape), tuple(shape))
    grad = grad.sum(axis=leading)
    return grad.sum(axis=stretched, keepdims=KEEP).reshape(shape)


class Add(Add):
    def backward(self, grad_out):
        return _reduce(grad_out, self.a_shape), _reduce(grad_out, self.b_shape)


class Mul(Mul):
    def backward(self, grad_out):
        return _reduce(grad_out * self.b, np.shape(self.a)), _reduce(grad_out * self.a, np.shape(self.b))


if __name__ == "__main__":
    # A student's self-test: if the grader ever ran it, it would print and exit.
    print("self-test running")
    raise SystemExit("the __main__ block must never run when graded")
