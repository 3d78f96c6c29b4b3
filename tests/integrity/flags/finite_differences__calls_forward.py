"""Central differences through the op's own forward, one element at a time."""
FLAGS = ("finite_differences",)


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        x = self.x.copy()
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            up, down = x.copy(), x.copy()
            up[i] += 1e-6  # flagged
            down[i] -= 1e-6  # flagged
            grad[i] = (self.forward(up) - self.forward(down))[i] / 2e-6  # flagged
        self.forward(x)  # flagged
        return (grad * grad_out,)
