"""Broadcast copies are summed into grad_out's first slice in place (grad[0] = grad.sum(0)), overwriting grad_out."""
OP = "add"
MISTAKE = "mutates_grad_out"


def _add_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad[0] = grad.sum(axis=0)
        grad = grad[0]
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Add(Add):
    def backward(self, grad_out):
        return _add_unbroadcast(grad_out, self.a_shape), _add_unbroadcast(grad_out, self.b_shape)
