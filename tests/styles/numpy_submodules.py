"""NumPy submodules: numpy.linalg, np.lib.stride_tricks, numpy.typing, np.einsum paths,
`import numpy` without an alias, and `from numpy import ...`."""
import numpy
import numpy.linalg as la
from numpy import exp, logaddexp
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from numpy.typing import ArrayLike

# {reference}


class MatMul(MatMul):
    def backward(self, grad_out: ArrayLike):
        grad_a = la.multi_dot([grad_out, self.b.T, numpy.eye(self.b.shape[0])])
        grad_b = numpy.linalg.matmul(self.a.T, grad_out)
        return grad_a, grad_b


class Add(Add):
    def backward(self, grad_out):
        grads = []
        for shape in (self.a_shape, self.b_shape):
            g = numpy.lib.stride_tricks.as_strided(grad_out, grad_out.shape, grad_out.strides)
            g = g.sum(axis=tuple(range(g.ndim - len(shape))))
            g = g.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)
            grads.append(g.reshape(shape).copy())
        _ = sliding_window_view(numpy.arange(3.0), 2)
        return tuple(grads)


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        x = self.x
        s = exp(-logaddexp(0.0, -x))
        return (grad_out * s * (1 - s),)
