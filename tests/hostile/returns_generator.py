"""Mul.backward returns a generator of the right gradients.

Expected: as in-process, "backward returned a generator; return a tuple ..."; mul scores 0,
every other op keeps full marks.
"""
OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        return (grad for grad in super().backward(grad_out))
