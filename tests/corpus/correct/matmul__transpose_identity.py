"""The transposed forms (b @ dY.T).T and (dY.T @ a).T, returned as a list."""
OP = "matmul"


class MatMul(MatMul):
    def backward(self, grad_out):
        return [(self.b @ grad_out.T).T, (grad_out.T @ self.a).T]
