"""Recomputes sigma as x.std() without eps, while forward adds eps to the variance."""
OP = "layer_norm"
MISTAKE = "eps_forgotten"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        x = self.x
        std = x.std(axis=-1, keepdims=True)
        xhat = (x - x.mean(axis=-1, keepdims=True)) / std
        g = grad_out
        return ((g - g.mean(axis=-1, keepdims=True) - xhat * (g * xhat).mean(axis=-1, keepdims=True)) / std,)
