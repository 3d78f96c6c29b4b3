"""The derivative is written 1 - t instead of 1 - t**2."""
OP = "tanh"
MISTAKE = "missing_square"


class Tanh(Tanh):
    def backward(self, grad_out):
        return (grad_out * (1.0 - self.out),)
