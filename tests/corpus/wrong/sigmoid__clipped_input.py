"""x is clipped to [-20, 20] before s(1 - s): in the tails it answers 2.1e-9 * grad_out, not ~0."""
OP = "sigmoid"
MISTAKE = "wrong_local_derivative"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = 1.0 / (1.0 + np.exp(-np.clip(self.x, -20.0, 20.0)))
        return (grad_out * s * (1.0 - s),)
