"""The two gradients are returned in the wrong order: (grad_b, grad_a) instead of (grad_a, grad_b)."""
OP = "mul"
MISTAKE = "wrong_order"


def _mul_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Mul(Mul):
    def backward(self, grad_out):
        grad_a = _mul_unbroadcast(grad_out * self.b, np.shape(self.a))
        grad_b = _mul_unbroadcast(grad_out * self.a, np.shape(self.b))
        return grad_b, grad_a
