"""A zero array is returned as the labels' gradient instead of None."""
OP = "softmax_ce"
MISTAKE = "non_none_integer_grad"


class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        n = len(self.labels)
        z = self.logits - self.logits.max(axis=1, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        probs[np.arange(n), self.labels] -= 1.0
        return probs * grad_out / n, np.zeros(self.labels.shape)
