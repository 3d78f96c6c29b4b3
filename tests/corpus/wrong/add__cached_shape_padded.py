"""Overwrites the cached shape with a padded one: a second call returns (1, n) for (n,)."""
OP = "add"
MISTAKE = "stateful"

class Add(Add):
    def backward(self, grad_out):
        out = []
        for name in ('a_shape', 'b_shape'):
            orig = getattr(self, name)
            padded = (1,) * (grad_out.ndim - len(orig)) + tuple(orig)
            setattr(self, name, padded)
            axes = tuple(i for i, s in enumerate(padded) if s == 1 and grad_out.shape[i] != 1)
            out.append(grad_out.sum(axis=axes, keepdims=True).reshape(orig))
        return tuple(out)
