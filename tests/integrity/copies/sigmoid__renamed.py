"""Renamed locals and a comment changed."""
OP = "sigmoid"
SOURCE = "sigmoid__stable_where_recompute"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        inp = np.asarray(self.x, dtype=np.float64)
        t = np.exp(-np.abs(inp))                 # exp of a non-positive number: at most 1
        sig = np.where(inp >= 0, 1.0 / (1.0 + t), t / (1.0 + t))
        return [grad_out * sig * (1.0 - sig)]
