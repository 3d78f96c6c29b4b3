"""grad_out is ignored: each row gets the number of times it was looked up instead of the sum of its upstream rows."""
OP = "embedding"
MISTAKE = "ignored_upstream"


class Embedding(Embedding):
    def backward(self, grad_out):
        grad_weight = np.zeros_like(self.weight)
        np.add.at(grad_weight, self.indices, 1.0)
        return grad_weight, None
