"""Loop variables and locals renamed, the two loops' bodies swapped."""
OP = "matmul"
SOURCE = "matmul__explicit_loops"


class MatMul(MatMul):
    def backward(self, grad_out):
        rows, inner = self.a.shape
        cols = self.b.shape[1]
        da = np.zeros((rows, inner))
        db = np.zeros((inner, cols))
        for r in range(rows):
            for c in range(inner):
                db[c] += self.a[r, c] * grad_out[r]
                da[r, c] = np.dot(grad_out[r], self.b[c])
        return da, db
