"""Comments rewritten, new comments and blank lines added, the code as in the source."""
OP = "mul"
SOURCE = "mul__reverse_loop_unbroadcast"


def _mul_reduce_to(grad, shape):
    # make sure we have an array


    grad = np.asarray(grad)
    shape = tuple(shape)

    # go from the last axis back to the first
    for axis in range(grad.ndim - 1, -1, -1):

        offset = axis - (grad.ndim - len(shape))   # which input axis this is (negative: none)

        if offset < 0:
            # the input did not have this axis at all
            grad = grad.sum(axis=axis)

        elif shape[offset] == 1 and grad.shape[axis] != 1:
            # the input had size 1 here: it was stretched
            grad = grad.sum(axis=axis, keepdims=True)

    return grad.reshape(shape)   # exact shape, (4,) is not (1, 4)


class Mul(Mul):
    def backward(self, grad_out):

        # product rule: each input gets the other one times grad_out
        return (_mul_reduce_to(grad_out * self.b, np.shape(self.a)),

                _mul_reduce_to(grad_out * self.a, np.shape(self.b)))
