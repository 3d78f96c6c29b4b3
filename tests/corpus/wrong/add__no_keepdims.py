"""Stretched size-1 axes are summed without keepdims, so a (1, n) input gets an (n,) gradient."""
OP = "add"
MISTAKE = "wrong_reduced_shape"


def _add_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes)


class Add(Add):
    def backward(self, grad_out):
        return _add_unbroadcast(grad_out, self.a_shape), _add_unbroadcast(grad_out, self.b_shape)
