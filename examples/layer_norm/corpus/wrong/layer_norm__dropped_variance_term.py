"""Drops the term that comes through the variance: grad_x = (g - mean(g)) / sigma, no x̂ * mean(g * x̂)."""
OP = "layer_norm"
MISTAKE = "dropped_variance_term"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        return ((grad_out - grad_out.mean(axis=-1, keepdims=True)) * self.inv_std,)
