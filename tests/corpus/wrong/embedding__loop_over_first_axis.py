"""The loop runs over the first axis of indices only, so for (B, T) indices a row repeated within one sequence is counted once."""
OP = "embedding"
MISTAKE = "multidim_indices"
ALSO = ("repeats_not_accumulated",)  # what the same numbers also are, on some examples


class Embedding(Embedding):
    def backward(self, grad_out):
        grad_weight = np.zeros_like(self.weight)
        for i in range(len(self.indices)):
            grad_weight[self.indices[i]] += grad_out[i]
        return grad_weight, None
