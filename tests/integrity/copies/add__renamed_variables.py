"""Every name renamed (the helper, its arguments, its locals), the code otherwise as in the source."""
OP = "add"
SOURCE = "add__sum_keepdims_padded"


def reduce_back(upstream, target):
    full = (1,) * (np.ndim(upstream) - len(target)) + tuple(target)
    summed_axes = tuple(j for j, n in enumerate(full) if n == 1)
    return np.sum(upstream, axis=summed_axes, keepdims=True).reshape(target)


class Add(Add):
    def backward(self, grad_out):
        return reduce_back(grad_out, self.a_shape), reduce_back(grad_out, self.b_shape)
