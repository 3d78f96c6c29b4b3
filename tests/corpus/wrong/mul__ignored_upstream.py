"""grad_out is ignored: the local derivatives b and a are returned without multiplying by the upstream gradient."""
OP = "mul"
MISTAKE = "ignored_upstream"


def _mul_unbroadcast(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Mul(Mul):
    def backward(self, grad_out):
        out_shape = np.shape(grad_out)
        grad_a = _mul_unbroadcast(np.broadcast_to(self.b, out_shape), np.shape(self.a))
        grad_b = _mul_unbroadcast(np.broadcast_to(self.a, out_shape), np.shape(self.b))
        return grad_a, grad_b
