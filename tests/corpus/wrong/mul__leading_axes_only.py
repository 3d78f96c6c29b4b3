"""Un-broadcasting sums away only the missing leading axes and forgets the stretched size-1 axes."""
OP = "mul"
MISTAKE = "wrong_reduce_axis"
ALSO = ("unreduced_broadcast",)  # what the same numbers also are, on some examples


def _mul_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    return grad


class Mul(Mul):
    def backward(self, grad_out):
        grad_a = _mul_unbroadcast(grad_out * self.b, np.shape(self.a))
        grad_b = _mul_unbroadcast(grad_out * self.a, np.shape(self.b))
        return grad_a, grad_b
