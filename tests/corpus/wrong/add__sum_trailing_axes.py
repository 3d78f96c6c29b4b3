"""Extra axes are summed from the right (axis=-1) instead of from the left, where NumPy adds them."""
OP = "add"
MISTAKE = "wrong_reduce_axis"


def _add_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=-1)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Add(Add):
    def backward(self, grad_out):
        return _add_unbroadcast(grad_out, self.a_shape), _add_unbroadcast(grad_out, self.b_shape)
