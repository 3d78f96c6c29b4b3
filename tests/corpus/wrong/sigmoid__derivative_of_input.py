"""The derivative is computed from the input as x * (1 - x) instead of from the output s * (1 - s)."""
OP = "sigmoid"
MISTAKE = "derivative_of_input"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        return (grad_out * self.x * (1.0 - self.x),)
