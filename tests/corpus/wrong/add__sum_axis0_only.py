"""When the shapes differ, the gradient is summed over axis 0 only, whatever axis was actually broadcast."""
OP = "add"
MISTAKE = "wrong_reduce_axis"
ALSO = ("wrong_reduced_shape", "unreduced_broadcast")  # what the same numbers also are, on some examples


def _add_reduce(grad, shape):
    if grad.shape != tuple(shape):
        grad = grad.sum(axis=0)
    return grad


class Add(Add):
    def backward(self, grad_out):
        return _add_reduce(grad_out, self.a_shape), _add_reduce(grad_out, self.b_shape)
