"""Recomputes sigma with the unbiased variance (ddof=1), while forward divides by D."""
OP = "layer_norm"
MISTAKE = "unbiased_variance"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        x = self.x
        std = np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + self.eps)
        xhat = (x - x.mean(axis=-1, keepdims=True)) / std
        g = grad_out
        return ((g - g.mean(axis=-1, keepdims=True) - xhat * (g * xhat).mean(axis=-1, keepdims=True)) / std,)
