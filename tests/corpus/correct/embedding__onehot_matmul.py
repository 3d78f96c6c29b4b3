"""The lookup as a one-hot matrix product: grad_weight = onehot(flat indices).T @ grad_out reshaped to (K, D)."""
OP = "embedding"


class Embedding(Embedding):
    def backward(self, grad_out):
        vocab, dim = self.weight.shape
        flat = np.reshape(self.indices, -1)
        onehot = np.eye(vocab)[flat]                      # (K, V); handles negative indices too
        return onehot.T @ np.reshape(grad_out, (flat.size, dim)), None
