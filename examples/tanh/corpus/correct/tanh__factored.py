"""Writes 1 - t**2 as (1 - t) * (1 + t), and returns a list."""
OP = "tanh"


class Tanh(Tanh):
    def backward(self, grad_out):
        t = self.out
        return [grad_out * ((1.0 - t) * (1.0 + t))]
