"""The derivative is recomputed as exp(-x) / (1 + exp(-x))**2, which overflows to inf/inf = NaN at x = -1000."""
OP = "sigmoid"
MISTAKE = "overflow"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        e = np.exp(-self.x)
        return (grad_out * e / (1.0 + e) ** 2,)
