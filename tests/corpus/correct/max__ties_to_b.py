"""Strict a > b routes grad_out to a and everything else, ties included, to b; reduced with a hand-written loop."""
OP = "max"


def _max_reduce_to(grad, shape):
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Max(Max):
    def backward(self, grad_out):
        a_wins = np.asarray(self.a) > np.asarray(self.b)
        grad_a = grad_out * a_wins
        grad_b = grad_out * np.logical_not(a_wins)
        return _max_reduce_to(grad_a, np.shape(self.a)), _max_reduce_to(grad_b, np.shape(self.b))
