"""Mul.backward computes the right gradients, then overwrites its inputs and grad_out in place.

Expected: exactly as in-process (the same report): mul's no_mutation check fails ("backward
modified its input a in place ...") and so does its upstream check, whose later backward calls
see the zeroed a; mul's other checks pass and every other op keeps full marks.
"""
OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        grads = super().backward(grad_out)
        self.a[...] = 0.0
        grad_out[...] = 0.0
        return grads
