"""The gradient array is returned bare instead of as a one-element tuple (grad_x,)."""
OP = "sigmoid"
MISTAKE = "not_a_tuple"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = self.out
        return grad_out * s * (1.0 - s)
