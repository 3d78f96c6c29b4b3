"""The mask is computed against 0, as for ReLU (a > 0), instead of against the other input."""
OP = "max"
MISTAKE = "relu_mask"
ALSO = ("ties_doubled",)  # what the same numbers also are, on some examples


def _max_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Max(Max):
    def backward(self, grad_out):
        a, b = np.broadcast_arrays(self.a, self.b)
        return (_max_unbroadcast(grad_out * (a > 0), np.shape(self.a)),
                _max_unbroadcast(grad_out * (b > 0), np.shape(self.b)))
