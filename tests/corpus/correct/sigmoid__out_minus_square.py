"""The derivative from the cached output, written as s - s**2."""
OP = "sigmoid"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = self.out
        return (grad_out * (s - s ** 2),)
