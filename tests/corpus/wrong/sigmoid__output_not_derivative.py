"""The sigmoid output s is used as its own derivative instead of s * (1 - s)."""
OP = "sigmoid"
MISTAKE = "wrong_local_derivative"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        return (grad_out * self.out,)
