"""Returns a namedtuple: a tuple, which the contract accepts."""
OP = "mul"

import collections
_G = collections.namedtuple('_G', 'ga gb')
class Mul(Mul):
    def backward(self, grad_out):
        return _G(*super().backward(grad_out))
