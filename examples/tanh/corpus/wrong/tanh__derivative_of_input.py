"""The derivative is taken from the input, 1 - x**2, instead of from the output t = tanh(x)."""
OP = "tanh"
MISTAKE = "derivative_of_input"


class Tanh(Tanh):
    def backward(self, grad_out):
        return (grad_out * (1.0 - self.x ** 2),)
