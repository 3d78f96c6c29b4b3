"""Recomputes 1 / cosh(x)**2 from the input: cosh overflows to inf at |x| > 710, and 1 / inf is the right 0."""
OP = "tanh"


class Tanh(Tanh):
    def backward(self, grad_out):
        with np.errstate(over="ignore"):
            sech2 = 1.0 / np.cosh(self.x) ** 2
        return (np.multiply(grad_out, sech2),)
