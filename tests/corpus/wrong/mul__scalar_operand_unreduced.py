"""A 0-d operand's gradient is left unreduced: broadcast axes are summed, but only when the operand has axes."""
OP = "mul"
MISTAKE = "unreduced_broadcast"


def _mul_unbroadcast(grad, shape):
    if len(shape) == 0:
        return grad  # forgotten: a 0-d input was stretched over every axis
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True)


class Mul(Mul):
    def backward(self, grad_out):
        return (_mul_unbroadcast(grad_out * self.b, np.shape(self.a)),
                _mul_unbroadcast(grad_out * self.a, np.shape(self.b)))
