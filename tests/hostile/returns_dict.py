"""Mul.backward returns a dict of the right gradients instead of a tuple.

Expected: as in-process, "backward returned a dict; return a tuple (grad_a, grad_b)"; mul
scores 0 and every other op keeps full marks.
"""
OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        grad_a, grad_b = super().backward(grad_out)
        return {"grad_a": grad_a, "grad_b": grad_b}
