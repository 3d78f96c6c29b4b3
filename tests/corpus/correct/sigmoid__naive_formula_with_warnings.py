"""exp(-x)/(1+exp(-x))**2 guarded so it stays finite; overflow warnings are not a failure."""
OP = "sigmoid"

class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        s = 1.0 / (1.0 + np.exp(-self.x))
        return (grad_out * s * (1.0 - s),)
