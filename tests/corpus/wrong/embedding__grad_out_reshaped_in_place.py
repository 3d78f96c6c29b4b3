"""grad_out.shape = (-1, D) reshapes the caller's array in place for multi-dimensional indices."""
OP = "embedding"
MISTAKE = "mutates_grad_out"

class Embedding(Embedding):
    def backward(self, grad_out):
        D = self.weight.shape[1]
        grad_out.shape = (-1, D)
        g = np.zeros_like(self.weight)
        np.add.at(g, self.indices.reshape(-1), grad_out)
        return g, None
