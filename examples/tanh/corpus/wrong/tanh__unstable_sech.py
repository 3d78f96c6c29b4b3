"""sech(x) is computed as 2 exp(x) / (exp(2x) + 1): inf / inf = NaN once exp(2x) overflows (x > 355)."""
OP = "tanh"
MISTAKE = "overflow"


class Tanh(Tanh):
    def backward(self, grad_out):
        sech = 2.0 * np.exp(self.x) / (np.exp(2.0 * self.x) + 1.0)
        return (grad_out * sech ** 2,)
