"""Read-only and non-contiguous returned arrays, and grad_out itself returned where it is the
gradient (Add with equal shapes)."""

# {reference}


class Add(Add):
    def backward(self, grad_out):
        if self.a_shape == self.b_shape == np.shape(grad_out):
            return grad_out, grad_out   # the gradient itself: nothing to copy
        return super().backward(grad_out)


class MatMul(MatMul):
    def backward(self, grad_out):
        grad_a = (self.b @ grad_out.T).T         # a transposed view: Fortran order
        grad_b = np.asfortranarray(self.a.T @ grad_out)
        grad_a.setflags(write=False)
        grad_b.setflags(write=False)
        return grad_a, grad_b


class Embedding(Embedding):
    def backward(self, grad_out):
        (grad,) = super().backward(grad_out)[:1]
        view = np.zeros((grad.shape[0], 2 * grad.shape[1]))[:, ::2]   # strided, non-contiguous
        view[...] = grad
        return view, None
