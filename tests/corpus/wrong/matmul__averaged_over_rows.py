"""grad_b is divided by the number of rows m of a, as if the product were a batch mean."""
OP = "matmul"
MISTAKE = "averaged_product"


class MatMul(MatMul):
    def backward(self, grad_out):
        m = self.a.shape[0]
        return grad_out @ self.b.T, self.a.T @ grad_out / m
