"""The logits are shifted by the global maximum instead of each row's maximum, so a row far below it gives 0/0 = NaN."""
OP = "softmax_ce"
MISTAKE = "overflow"


class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        n = len(self.labels)
        e = np.exp(self.logits - self.logits.max())
        probs = e / e.sum(axis=1, keepdims=True)
        probs[np.arange(n), self.labels] -= 1.0
        return probs * grad_out / n, None
