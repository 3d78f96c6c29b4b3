"""The one-hot product is written as grad_out.T @ onehot, a (D, V) array that is then reshaped (not transposed) to (V, D)."""
OP = "embedding"
MISTAKE = "transposed"


class Embedding(Embedding):
    def backward(self, grad_out):
        vocab, dim = self.weight.shape
        flat = np.reshape(self.indices, -1)
        onehot = (flat[:, None] == np.arange(vocab)).astype(np.float64)
        grad_weight = np.reshape(grad_out, (flat.size, dim)).T @ onehot
        return grad_weight.reshape(vocab, dim), None
