"""A zero array shaped like indices is returned as the indices' gradient instead of None."""
OP = "embedding"
MISTAKE = "non_none_integer_grad"


class Embedding(Embedding):
    def backward(self, grad_out):
        grad_weight = np.zeros_like(self.weight)
        np.add.at(grad_weight, self.indices, grad_out)
        return grad_weight, np.zeros_like(self.indices)
