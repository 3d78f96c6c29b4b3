"""Returns grad_out itself for same-shape inputs (aliasing, never modified)."""
OP = "add"

class Add(Add):
    def backward(self, grad_out):
        if self.a_shape == self.b_shape == grad_out.shape:
            return grad_out, grad_out
        return super().backward(grad_out)
