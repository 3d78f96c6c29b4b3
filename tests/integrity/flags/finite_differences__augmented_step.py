"""Steps the cached logits in place with a named epsilon and divides by it."""
FLAGS = ("finite_differences",)


class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        eps = 1e-7
        base = self._loss(self.logits)
        grad = np.zeros_like(self.logits)
        for i in np.ndindex(self.logits.shape):
            z = self.logits.copy()
            z[i] += eps  # flagged
            grad[i] = (self._loss(z) - base) / eps
        return grad * grad_out, None

    def _loss(self, z):
        shifted = z - z.max(axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_softmax[np.arange(len(self.labels)), self.labels].mean()
