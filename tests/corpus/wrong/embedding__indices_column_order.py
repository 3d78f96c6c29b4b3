"""indices flattened in column order, grad_out rows in row order."""
OP = "embedding"
MISTAKE = "reshape_order"


class Embedding(Embedding):
    def backward(self, grad_out):
        dim = self.weight.shape[1]
        grad_weight = np.zeros_like(self.weight)
        np.add.at(grad_weight, self.indices.ravel(order="F"), grad_out.reshape(-1, dim))
        return grad_weight, None
