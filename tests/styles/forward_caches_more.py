"""forward rewritten only to cache more (same output), and np.float64 scalars returned for 0-d."""

# {reference}


class Sigmoid:
    def forward(self, x):
        self.x = x
        self.out = np.exp(-np.logaddexp(0.0, -x))
        self.local = self.out * (1.0 - self.out)   # cached for backward
        return self.out

    def backward(self, grad_out):
        return (grad_out * self.local,)


class Mul(Mul):
    def forward(self, a, b):
        out = super().forward(a, b)
        self.shapes = (np.shape(a), np.shape(b))
        return out

    def backward(self, grad_out):
        grad_a, grad_b = super().backward(grad_out)
        if np.ndim(grad_a) == 0:
            grad_a = np.float64(grad_a)     # a NumPy scalar for a 0-d input
        if np.ndim(grad_b) == 0:
            grad_b = np.float64(grad_b.sum())
        return grad_a, grad_b
