"""Explicit Python loops over rows and columns: each grad_a entry is a dot product, grad_b accumulates scaled rows of grad_out."""
OP = "matmul"


class MatMul(MatMul):
    def backward(self, grad_out):
        m, n = self.a.shape
        p = self.b.shape[1]
        grad_a = np.zeros((m, n))
        grad_b = np.zeros((n, p))
        for i in range(m):
            for j in range(n):
                grad_a[i, j] = np.dot(grad_out[i], self.b[j])
                grad_b[j] += self.a[i, j] * grad_out[i]
        return grad_a, grad_b
