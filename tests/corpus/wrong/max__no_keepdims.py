"""Stretched size-1 axes are summed without keepdims, so a (1, n) input gets an (n,) gradient."""
OP = "max"
MISTAKE = "wrong_reduced_shape"


def _max_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes)


class Max(Max):
    def backward(self, grad_out):
        a_wins = np.broadcast_to(self.a >= self.b, np.shape(grad_out))
        grad_a = _max_unbroadcast(np.where(a_wins, grad_out, 0.0), np.shape(self.a))
        grad_b = _max_unbroadcast(np.where(a_wins, 0.0, grad_out), np.shape(self.b))
        return grad_a, grad_b
