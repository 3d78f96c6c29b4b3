"""At ties both inputs get the whole grad_out (a >= b for a and b >= a for b), which doubles it."""
OP = "max"
MISTAKE = "ties_doubled"


def _max_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Max(Max):
    def backward(self, grad_out):
        grad_a = _max_unbroadcast(grad_out * (self.a >= self.b), np.shape(self.a))
        grad_b = _max_unbroadcast(grad_out * (self.b >= self.a), np.shape(self.b))
        return grad_a, grad_b
