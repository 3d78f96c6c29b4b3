"""Un-broadcasting written by hand: sum leading axes away one at a time, then every stretched size-1 axis with keepdims."""
OP = "add"


def _add_reduce_to(grad, shape):
    grad = np.array(grad, dtype=np.float64)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis in reversed(range(len(shape))):
        if shape[axis] == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Add(Add):
    def backward(self, grad_out):
        return _add_reduce_to(grad_out, self.a_shape), _add_reduce_to(grad_out, self.b_shape)
