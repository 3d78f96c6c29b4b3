"""Swapped operands: grad_a is computed from a instead of b (and grad_b from b instead of a)."""
OP = "mul"
MISTAKE = "swapped_operands"
ALSO = ("wrong_order",)  # what the same numbers also are, on some examples


def _mul_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Mul(Mul):
    def backward(self, grad_out):
        grad_a = _mul_unbroadcast(grad_out * self.a, np.shape(self.a))
        grad_b = _mul_unbroadcast(grad_out * self.b, np.shape(self.b))
        return grad_a, grad_b
