"""Finds ties with np.isclose, so inputs that differ by a few parts in a million are split as if tied."""
OP = "max"
MISTAKE = "near_ties_split"


def _max_isclose_reduce(grad, shape):
    padded = (1,) * (np.ndim(grad) - len(shape)) + tuple(shape)
    axes = tuple(i for i, size in enumerate(padded) if size == 1)
    return np.sum(grad, axis=axes, keepdims=True).reshape(shape)


class Max(Max):
    def backward(self, grad_out):
        a, b = np.broadcast_arrays(self.a, self.b)
        share_a = np.where(np.isclose(a, b), 0.5, np.where(a > b, 1.0, 0.0))
        return (_max_isclose_reduce(grad_out * share_a, np.shape(self.a)),
                _max_isclose_reduce(grad_out * (1.0 - share_a), np.shape(self.b)))
