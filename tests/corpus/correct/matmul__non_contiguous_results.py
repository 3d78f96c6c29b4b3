"""Returns transposed (non-contiguous) arrays."""
OP = "matmul"

class MatMul(MatMul):
    def backward(self, grad_out):
        ga = (self.b @ grad_out.T).T
        gb = (grad_out.T @ self.a).T
        return [ga, gb]
