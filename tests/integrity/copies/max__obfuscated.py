"""Everything at once: renamed, statements reordered, comments and blank lines changed, a useless line added."""
OP = "max"
SOURCE = "max__argmax_stack"


def collapse(g, target):
    g = np.asarray(g)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[:g.ndim]
    extra = g.ndim - len(target)

    keep = "".join(alphabet[extra + d] for d, s in enumerate(target) if s != 1)
    return np.einsum(alphabet + "->" + keep, g).reshape(target)


class Max(Max):
    def backward(self, grad_out):
        both = np.stack(np.broadcast_arrays(self.a, self.b))
        unused = both.shape
        which = np.argmax(both, axis=0)
        # route the upstream gradient to whoever won
        gb = np.where(which == 1, grad_out, 0.0)
        ga = np.where(which == 0, grad_out, 0.0)

        return collapse(ga, np.shape(self.a)), collapse(gb, np.shape(self.b))
