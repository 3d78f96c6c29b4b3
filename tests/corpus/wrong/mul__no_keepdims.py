"""Stretched size-1 axes are summed without keepdims, so a (1, n) input gets an (n,) gradient."""
OP = "mul"
MISTAKE = "wrong_reduced_shape"


def _mul_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes)


class Mul(Mul):
    def backward(self, grad_out):
        grad_a = _mul_unbroadcast(grad_out * self.b, np.shape(self.a))
        grad_b = _mul_unbroadcast(grad_out * self.a, np.shape(self.b))
        return grad_a, grad_b
