"""Pure-Python loops, slow but within the time budget, with the math module."""
import itertools
import math

# {reference}


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        x = np.asarray(self.x, dtype=float)
        grad = np.empty_like(x)
        for index in itertools.product(*(range(n) for n in x.shape)):
            v = float(x[index])
            s = 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))
            grad[index] = s * (1.0 - s)
        return (grad * grad_out,)


class Embedding(Embedding):
    def backward(self, grad_out):
        grad = np.zeros(self.weight.shape)
        flat = np.reshape(self.indices, -1)
        rows = np.reshape(grad_out, (len(flat), -1))
        for position, row in enumerate(flat):
            for column in range(grad.shape[1]):
                grad[row, column] += rows[position, column]
        return grad, None
