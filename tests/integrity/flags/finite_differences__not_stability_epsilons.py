"""Honest backprop with stability epsilons added to cached values, and a division by a sum that holds one: no step."""
FLAGS = ()


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = np.clip(self.out, 1e-12, 1.0)
        odds = s / (1.0 - s + 1e-8)
        logistic = odds / (1.0 + odds + 1e-300)
        forward_value = self.out
        return (grad_out * forward_value * (1.0 - forward_value) + 0.0 * (logistic - s),)
