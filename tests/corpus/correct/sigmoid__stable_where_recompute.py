"""Sigmoid recomputed from x with the two-branch stable form (np.where on the sign of x), then s * (1 - s)."""
OP = "sigmoid"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        x = np.asarray(self.x, dtype=np.float64)
        e = np.exp(-np.abs(x))                    # never overflows
        s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return [grad_out * s * (1.0 - s)]
