"""grad_out is ignored: (softmax - onehot) / N is returned as if the upstream were always 1."""
OP = "softmax_ce"
MISTAKE = "ignored_upstream"


class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        n = len(self.labels)
        z = self.logits - self.logits.max(axis=1, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        probs[np.arange(n), self.labels] -= 1.0
        return probs / n, None
