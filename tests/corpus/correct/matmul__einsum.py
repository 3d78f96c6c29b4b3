"""Both gradients written as np.einsum contractions: dA[i,j] = sum_k dY[i,k] B[j,k], dB[j,k] = sum_i A[i,j] dY[i,k]."""
OP = "matmul"


class MatMul(MatMul):
    def backward(self, grad_out):
        grad_a = np.einsum("ik,jk->ij", grad_out, self.b)
        grad_b = np.einsum("ij,ik->jk", self.a, grad_out)
        return grad_a, grad_b
