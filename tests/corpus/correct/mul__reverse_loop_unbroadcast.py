"""Un-broadcasting written by hand: walk the axes from the right, summing every axis the input lacked or had as size 1."""
OP = "mul"


def _mul_reduce_to(grad, shape):
    grad = np.asarray(grad)
    shape = tuple(shape)
    for axis in range(grad.ndim - 1, -1, -1):
        offset = axis - (grad.ndim - len(shape))   # matching axis of the input, if any
        if offset < 0:
            grad = grad.sum(axis=axis)
        elif shape[offset] == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad.reshape(shape)


class Mul(Mul):
    def backward(self, grad_out):
        return (_mul_reduce_to(grad_out * self.b, np.shape(self.a)),
                _mul_reduce_to(grad_out * self.a, np.shape(self.b)))
