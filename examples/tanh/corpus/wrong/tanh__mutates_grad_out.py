"""grad_out is multiplied in place (grad_out *= ...): the values are right, the caller's array is changed."""
OP = "tanh"
MISTAKE = "mutates_grad_out"


class Tanh(Tanh):
    def backward(self, grad_out):
        grad_out *= 1.0 - self.out ** 2
        return (grad_out,)
