"""grad_out is ignored: backward returns the local derivative 1 - t**2 alone."""
OP = "tanh"
MISTAKE = "ignored_upstream"


class Tanh(Tanh):
    def backward(self, grad_out):
        return (1.0 - self.out ** 2,)
