"""grad_out is ignored: an all-ones upstream is used, as if the loss were the sum of the output."""
OP = "matmul"
MISTAKE = "ignored_upstream"


class MatMul(MatMul):
    def backward(self, grad_out):
        ones = np.ones((self.a.shape[0], self.b.shape[1]))
        return ones @ self.b.T, self.a.T @ ones
