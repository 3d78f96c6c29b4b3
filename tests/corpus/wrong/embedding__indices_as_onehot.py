"""The integer indices are multiplied as if they were one-hot rows, indices.T @ grad_out, broadcast into every row."""
OP = "embedding"
MISTAKE = "indices_as_onehot"


class Embedding(Embedding):
    def backward(self, grad_out):
        grad_weight = np.zeros_like(self.weight)
        grad_weight += self.indices.T @ grad_out
        return grad_weight, None
