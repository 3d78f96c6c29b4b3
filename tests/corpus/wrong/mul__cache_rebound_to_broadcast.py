"""Rebinds self.a, self.b to their broadcast views: a second call returns the output's shape."""
OP = "mul"
MISTAKE = "stateful"

def _mul_red(g, shape):
    while g.ndim > len(shape): g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1: g = g.sum(axis=i, keepdims=True)
    return g.reshape(shape)
class Mul(Mul):
    def backward(self, grad_out):
        sa, sb = np.shape(self.a), np.shape(self.b)
        self.a, self.b = np.broadcast_arrays(self.a, self.b)
        return _mul_red(grad_out * self.b, sa), _mul_red(grad_out * self.a, sb)
