"""self.indices is sorted in place (to group repeats) before grad_out is scattered, pairing rows with the wrong indices."""
OP = "embedding"
MISTAKE = "mutates_input"


class Embedding(Embedding):
    def backward(self, grad_out):
        self.indices.sort()  # along the last axis
        grad_weight = np.zeros_like(self.weight)
        np.add.at(grad_weight, self.indices, grad_out)
        return grad_weight, None
