"""Backpropagates through the forward's graph step by step (centre, variance, 1/sigma), as a list."""
OP = "layer_norm"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        x, d = self.x, self.x.shape[-1]
        centred = x - x.mean(axis=-1, keepdims=True)
        var = (centred ** 2).mean(axis=-1, keepdims=True)
        inv_std = (var + self.eps) ** -0.5
        d_centred = grad_out * inv_std
        d_inv_std = (grad_out * centred).sum(axis=-1, keepdims=True)
        d_var = d_inv_std * -0.5 * (var + self.eps) ** -1.5
        d_centred = d_centred + d_var * 2.0 * centred / d
        return [d_centred - d_centred.mean(axis=-1, keepdims=True)]
