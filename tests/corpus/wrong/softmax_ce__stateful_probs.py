"""The softmax is cached on self and the one-hot is subtracted from the cached array in place, so a second backward subtracts it again."""
OP = "softmax_ce"
MISTAKE = "stateful"
ALSO = ("not_linear_in_upstream",)  # what the same numbers also are, on some examples


class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        n = len(self.labels)
        if getattr(self, "probs", None) is None:
            z = self.logits - self.logits.max(axis=1, keepdims=True)
            self.probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        self.probs[np.arange(n), self.labels] -= 1.0
        return self.probs * grad_out / n, None
