"""The gradient array is returned bare instead of as a one-element tuple (grad_x,)."""
OP = "tanh"
MISTAKE = "not_a_tuple"


class Tanh(Tanh):
    def backward(self, grad_out):
        return grad_out * (1.0 - self.out ** 2)
