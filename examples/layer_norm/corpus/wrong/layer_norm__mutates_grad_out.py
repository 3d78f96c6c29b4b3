"""Centres grad_out in place (grad_out -= its mean): the values are right, the caller's array is changed."""
OP = "layer_norm"
MISTAKE = "mutates_grad_out"


class LayerNorm(LayerNorm):
    def backward(self, grad_out):
        grad_out -= grad_out.mean(axis=-1, keepdims=True)
        xhat = self.xhat
        return ((grad_out - xhat * (grad_out * xhat).mean(axis=-1, keepdims=True)) * self.inv_std,)
