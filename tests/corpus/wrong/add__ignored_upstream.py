"""grad_out is ignored: "the derivative of a + b is 1", so arrays of ones are returned."""
OP = "add"
MISTAKE = "ignored_upstream"


class Add(Add):
    def backward(self, grad_out):
        return np.ones(self.a_shape), np.ones(self.b_shape)
