"""Takes the means over axis 0 instead of the last axis: right for a single row, wrong for a batch."""
OP = "layer_norm"
MISTAKE = "wrong_axis"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        g, xhat = grad_out, self.xhat
        return ((g - g.mean(axis=0, keepdims=True) - xhat * (g * xhat).mean(axis=0, keepdims=True)) * self.inv_std,)
