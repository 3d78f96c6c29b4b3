"""Keeps the gradient on self and divides it by N again on every call: the second call is wrong."""
OP = "softmax_ce"
MISTAKE = "stateful"

class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        if not hasattr(self, 'g'):
            z = self.logits - self.logits.max(axis=1, keepdims=True)
            p = np.exp(z); p = p / p.sum(axis=1, keepdims=True)
            p[np.arange(len(self.labels)), self.labels] -= 1.0
            self.g = p
        self.g /= len(self.labels)
        return self.g * grad_out, None
