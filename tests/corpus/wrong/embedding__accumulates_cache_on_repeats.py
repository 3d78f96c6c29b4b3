"""Accumulates into a cached buffer when an index repeats: the second call adds to the first."""
OP = "embedding"
MISTAKE = "accumulates_across_calls"

class Embedding(Embedding):
    def backward(self, grad_out):
        D = self.weight.shape[1]
        idx = self.indices.reshape(-1)
        if not hasattr(self, '_uniq'):
            self._uniq, self._inv = np.unique(idx, return_inverse=True)
            self._go = np.zeros((len(self._uniq), D))
        np.add.at(self._go, self._inv, grad_out.reshape(-1, D)) if len(self._uniq) < len(idx) else None
        g = np.zeros_like(self.weight)
        if len(self._uniq) < len(idx):
            g[self._uniq] = self._go
        else:
            g[idx] = grad_out.reshape(-1, D)
        return g, None
