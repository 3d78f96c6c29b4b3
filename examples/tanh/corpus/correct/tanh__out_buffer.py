"""Computes into a fresh buffer with ufunc out= arguments, never touching grad_out."""
OP = "tanh"


class Tanh(Tanh):
    def backward(self, grad_out):
        grad = np.empty(np.shape(self.out))
        np.square(self.out, out=grad)
        np.subtract(1.0, grad, out=grad)
        np.multiply(grad, grad_out, out=grad)
        return (grad,)
