"""grad_out is ignored: only the local derivative s * (1 - s) is returned."""
OP = "sigmoid"
MISTAKE = "ignored_upstream"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = self.out
        return (s * (1.0 - s),)
