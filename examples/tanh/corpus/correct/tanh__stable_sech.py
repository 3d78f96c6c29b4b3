"""sech(x)**2 from e = exp(-2|x|), which never overflows: 4 e / (1 + e)**2."""
OP = "tanh"


class Tanh(Tanh):
    def backward(self, grad_out):
        e = np.exp(-2.0 * np.abs(self.x))
        return (grad_out * (4.0 * e / (1.0 + e) ** 2),)
