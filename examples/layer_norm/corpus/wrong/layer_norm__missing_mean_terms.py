"""Treats the mean and the variance as constants: grad_x = grad_out / sigma, both mean terms missing."""
OP = "layer_norm"
MISTAKE = "missing_mean_terms"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        return (grad_out * self.inv_std,)
