"""The two gradients are returned in the wrong order: (grad_b, grad_a) instead of (grad_a, grad_b)."""
OP = "max"
MISTAKE = "wrong_order"


def _max_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Max(Max):
    def backward(self, grad_out):
        a_wins = np.broadcast_to(self.a >= self.b, np.shape(grad_out))
        grad_a = _max_unbroadcast(np.where(a_wins, grad_out, 0.0), np.shape(self.a))
        grad_b = _max_unbroadcast(np.where(a_wins, 0.0, grad_out), np.shape(self.b))
        return grad_b, grad_a
