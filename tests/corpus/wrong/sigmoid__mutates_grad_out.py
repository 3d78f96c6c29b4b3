"""grad_out is multiplied in place (grad_out *= s * (1 - s)) and returned, overwriting the caller's array."""
OP = "sigmoid"
MISTAKE = "mutates_grad_out"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = self.out
        grad_out *= s * (1.0 - s)
        return (grad_out,)
