"""The sign is flipped: the gradient is -s * (1 - s) * grad_out, as if sigmoid were decreasing."""
OP = "sigmoid"
MISTAKE = "sign_flipped"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = self.out
        return (grad_out * s * (s - 1.0),)
