"""Sigmoid is applied a second time to the cached output before taking s * (1 - s)."""
OP = "sigmoid"
MISTAKE = "sigmoid_applied_twice"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = 1.0 / (1.0 + np.exp(-self.out))
        return (grad_out * s * (1.0 - s),)
