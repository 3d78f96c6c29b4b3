"""The first gradient is cached and returned again on later calls, whatever grad_out they pass."""
OP = "tanh"
MISTAKE = "memoised_result"


class Tanh(Tanh):
    def backward(self, grad_out):
        if not hasattr(self, "_tanh_grad"):
            self._tanh_grad = grad_out * (1.0 - self.out ** 2)
        return (self._tanh_grad,)
