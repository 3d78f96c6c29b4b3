"""No un-broadcasting: the gradients come back with the output's shape instead of each input's shape."""
OP = "mul"
MISTAKE = "unreduced_broadcast"


class Mul(Mul):
    def backward(self, grad_out):
        grad_a = grad_out * self.b
        grad_b = grad_out * self.a
        return grad_a, grad_b
