"""The first backward result is saved on self and returned again by every later call."""
OP = "sigmoid"
MISTAKE = "memoised_result"


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        if not hasattr(self, "_saved"):
            self._saved = (grad_out * self.out * (1.0 - self.out),)
        return self._saved
