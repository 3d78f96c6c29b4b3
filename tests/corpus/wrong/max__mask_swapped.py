"""The mask is swapped: a gets grad_out where b wins and b gets it where a wins."""
OP = "max"
MISTAKE = "mask_swapped"
ALSO = ("wrong_order",)  # what the same numbers also are, on some examples


def _max_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Max(Max):
    def backward(self, grad_out):
        grad_a = _max_unbroadcast(grad_out * (self.b > self.a), np.shape(self.a))
        grad_b = _max_unbroadcast(grad_out * (self.a >= self.b), np.shape(self.b))
        return grad_a, grad_b
