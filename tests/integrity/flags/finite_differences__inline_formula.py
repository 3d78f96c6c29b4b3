"""The forward formula written inline at x + h and x - h, divided by 2h: no forward call."""
FLAGS = ("finite_differences",)

STEP = 1e-5


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        x = np.asarray(self.x)
        plus = 1 / (1 + np.exp(-(x + STEP)))  # flagged
        minus = 1 / (1 + np.exp(-(x - STEP)))  # flagged
        return (grad_out * (plus - minus) / (2 * STEP),)
