"""Returns read-only np.broadcast_to views where no reduction is needed."""
OP = "add"

class Add(Add):
    def backward(self, grad_out):
        ga, gb = super().backward(grad_out)
        return np.broadcast_to(ga, self.a_shape), np.broadcast_to(gb, self.b_shape)[...]
