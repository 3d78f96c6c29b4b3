"""grad_b is built from b (b.T @ grad_out) instead of from a (a.T @ grad_out)."""
OP = "matmul"
MISTAKE = "swapped_operands"


class MatMul(MatMul):
    def backward(self, grad_out):
        return grad_out @ self.b.T, self.b.T @ grad_out
