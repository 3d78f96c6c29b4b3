"""grad_out is flattened with reshape(D, -1).T instead of reshape(-1, D), which mixes up its rows."""
OP = "embedding"
MISTAKE = "reshape_order"


class Embedding(Embedding):
    def backward(self, grad_out):
        dim = self.weight.shape[1]
        grad_weight = np.zeros_like(self.weight)
        np.add.at(grad_weight, self.indices.ravel(), grad_out.reshape(dim, -1).T)
        return grad_weight, None
