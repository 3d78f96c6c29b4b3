"""Un-broadcasting by padding the input's shape with leading 1s and one np.sum(keepdims=True) over its size-1 axes."""
OP = "mul"


def _mul_sum_keepdims(grad, shape):
    grad = np.asarray(grad)
    padded = (1,) * (grad.ndim - len(shape)) + tuple(shape)
    axes = tuple(i for i, size in enumerate(padded) if size == 1)
    return np.sum(grad, axis=axes, keepdims=True).reshape(shape)


class Mul(Mul):
    def backward(self, grad_out):
        a, b = np.asarray(self.a), np.asarray(self.b)
        return _mul_sum_keepdims(grad_out * b, a.shape), _mul_sum_keepdims(grad_out * a, b.shape)
