"""The two gradients are returned in the wrong order: (grad_b, grad_a) instead of (grad_a, grad_b)."""
OP = "matmul"
MISTAKE = "wrong_order"


class MatMul(MatMul):
    def backward(self, grad_out):
        grad_a = grad_out @ self.b.T
        grad_b = self.a.T @ grad_out
        return grad_b, grad_a
