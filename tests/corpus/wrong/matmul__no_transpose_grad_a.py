"""grad_a is grad_out @ b without the transpose (it only has the right shape when b is square)."""
OP = "matmul"
MISTAKE = "missing_transpose"
ALSO = ("mismatched_product",)  # what the same numbers also are, on some examples


class MatMul(MatMul):
    def backward(self, grad_out):
        return grad_out @ self.b, self.a.T @ grad_out
