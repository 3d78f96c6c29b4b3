"""The factors of each product are in the wrong order: b.T @ grad_out and grad_out @ a.T."""
OP = "matmul"
MISTAKE = "product_order_swapped"
ALSO = ("mismatched_product",)  # what the same numbers also are, on some examples


class MatMul(MatMul):
    def backward(self, grad_out):
        return self.b.T @ grad_out, grad_out @ self.a.T
