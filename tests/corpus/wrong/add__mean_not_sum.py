"""Broadcast copies are averaged (mean) instead of summed when reducing the gradient."""
OP = "add"
MISTAKE = "mean_not_sum"


def _add_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.mean(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.mean(axis=axis, keepdims=True)
    return grad


class Add(Add):
    def backward(self, grad_out):
        return _add_unbroadcast(grad_out, self.a_shape), _add_unbroadcast(grad_out, self.b_shape)
