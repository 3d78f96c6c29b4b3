"""The gradients are added into buffers kept on self, so each call also returns the earlier calls' gradients."""
OP = "matmul"
MISTAKE = "accumulates_across_calls"


class MatMul(MatMul):
    def backward(self, grad_out):
        if not hasattr(self, "_grad_a"):
            self._grad_a, self._grad_b = np.zeros_like(self.a), np.zeros_like(self.b)
        self._grad_a += grad_out @ self.b.T
        self._grad_b += self.a.T @ grad_out
        return self._grad_a.copy(), self._grad_b.copy()
