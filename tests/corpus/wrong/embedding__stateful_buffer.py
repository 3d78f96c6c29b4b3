"""The gradient buffer is kept on self and never reset, so every backward call adds to the previous result."""
OP = "embedding"
MISTAKE = "accumulates_across_calls"


class Embedding(Embedding):
    def backward(self, grad_out):
        if getattr(self, "grad_weight", None) is None:
            self.grad_weight = np.zeros_like(self.weight)
        np.add.at(self.grad_weight, self.indices, grad_out)
        return self.grad_weight.copy(), None
