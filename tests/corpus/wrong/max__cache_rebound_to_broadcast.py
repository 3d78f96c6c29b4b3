"""Rebinds self.a, self.b to their broadcast views: a second call returns the output's shape."""
OP = "max"
MISTAKE = "stateful"

def _max_red(g, shape):
    while g.ndim > len(shape): g = g.sum(axis=0)
    for i, s in enumerate(shape):
        if s == 1 and g.shape[i] != 1: g = g.sum(axis=i, keepdims=True)
    return g.reshape(shape)
class Max(Max):
    def backward(self, grad_out):
        sa, sb = np.shape(self.a), np.shape(self.b)
        self.a, self.b = np.broadcast_arrays(self.a, self.b)
        m = self.a >= self.b
        return _max_red(np.where(m, grad_out, 0.0), sa), _max_red(np.where(m, 0.0, grad_out), sb)
