"""grad_out is multiplied in place (grad_out *= b), which overwrites the caller's upstream gradient."""
OP = "mul"
MISTAKE = "mutates_grad_out"


def _mul_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Mul(Mul):
    def backward(self, grad_out):
        grad_b = _mul_unbroadcast(grad_out * self.a, np.shape(self.b))
        grad_out *= self.b
        grad_a = _mul_unbroadcast(grad_out, np.shape(self.a))
        return grad_a, grad_b
