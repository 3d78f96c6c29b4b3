"""Un-broadcasting with np.einsum: keep the input's non-unit axes, sum all others, reshape to the input's shape."""
OP = "mul"


def _mul_einsum_sum_to(grad, shape):
    grad = np.asarray(grad)
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[:grad.ndim]
    lead = grad.ndim - len(shape)
    kept = "".join(letters[lead + i] for i, size in enumerate(shape) if size != 1)
    return np.einsum(letters + "->" + kept, grad).reshape(shape)


class Mul(Mul):
    def backward(self, grad_out):
        grad_a = _mul_einsum_sum_to(np.multiply(grad_out, self.b), np.shape(self.a))
        grad_b = _mul_einsum_sum_to(np.multiply(grad_out, self.a), np.shape(self.b))
        return [grad_a, grad_b]
