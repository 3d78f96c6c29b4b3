"""Renamed locals, the two independent first lines swapped, comments added."""
OP = "softmax_ce"
SOURCE = "softmax_ce__logsumexp"


class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        logits = self.logits
        m = logits.max(axis=1, keepdims=True)          # for stability
        batch = logits.shape[0]
        log_norm = m + np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
        d = np.exp(logits - log_norm)                   # softmax
        d[np.arange(batch), self.labels] -= 1.0         # minus the one-hot
        d *= np.asarray(grad_out) / batch               # mean over the batch
        return d, None
