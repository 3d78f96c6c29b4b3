"""grad_out is ignored: the 0/1 win mask itself is returned as the gradient."""
OP = "max"
MISTAKE = "ignored_upstream"


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
        grad_a = _max_unbroadcast(a_wins.astype(np.float64), np.shape(self.a))
        grad_b = _max_unbroadcast((~a_wins).astype(np.float64), np.shape(self.b))
        return grad_a, grad_b
