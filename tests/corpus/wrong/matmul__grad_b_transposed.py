"""grad_b is computed as grad_out.T @ a, which is the transpose of the right answer."""
OP = "matmul"
MISTAKE = "transposed"


class MatMul(MatMul):
    def backward(self, grad_out):
        return grad_out @ self.b.T, grad_out.T @ self.a
