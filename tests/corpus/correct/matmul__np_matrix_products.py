"""Computes with np.matrix and returns matrices (2-D, so shapes match)."""
OP = "matmul"

class MatMul(MatMul):
    def backward(self, grad_out):
        return np.asmatrix(grad_out) @ np.asmatrix(self.b).T, np.asmatrix(self.a).T @ np.asmatrix(grad_out)
