"""Independent statements reordered and every local renamed."""
OP = "embedding"
SOURCE = "embedding__python_loop"


class Embedding(Embedding):
    def backward(self, grad_out):
        out = np.zeros(self.weight.shape)
        idx = np.reshape(self.indices, -1)
        width = self.weight.shape[1]
        g = np.reshape(grad_out, (idx.size, width))
        for position, row in enumerate(idx):
            out[row] += g[position]
        return out, None
