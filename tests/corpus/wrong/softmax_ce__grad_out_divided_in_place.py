"""grad_out /= N in place: the caller's upstream changes (invisible when N = 1)."""
OP = "softmax_ce"
MISTAKE = "mutates_grad_out"

class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        grad_out /= len(self.labels)
        z = self.logits - self.logits.max(axis=1, keepdims=True)
        p = np.exp(z); p = p / p.sum(axis=1, keepdims=True)
        p[np.arange(len(self.labels)), self.labels] -= 1.0
        return p * grad_out, None
