"""Uses sums over the row where the formula has means: the two coupling terms are D times too large."""
OP = "layer_norm"
MISTAKE = "sum_not_mean"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        g, xhat = grad_out, self.xhat
        return ((g - g.sum(axis=-1, keepdims=True) - xhat * (g * xhat).sum(axis=-1, keepdims=True)) * self.inv_std,)
