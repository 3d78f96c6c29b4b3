"""grad_out is zeroed in place where b wins (grad_out[~mask] = 0) to build grad_a, overwriting the caller's array."""
OP = "max"
MISTAKE = "mutates_grad_out"


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
        grad_b = _max_unbroadcast(grad_out * ~a_wins, np.shape(self.b))
        grad_out[~a_wins] = 0.0
        grad_a = _max_unbroadcast(grad_out, np.shape(self.a))
        return grad_a, grad_b
