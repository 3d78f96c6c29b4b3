"""grad_weight[indices] = grad_out assigns instead of accumulating, so a repeated index keeps only its last row."""
OP = "embedding"
MISTAKE = "repeats_not_accumulated"


class Embedding(Embedding):
    def backward(self, grad_out):
        grad_weight = np.zeros_like(self.weight)
        grad_weight[self.indices] = grad_out
        return grad_weight, None
