"""Differences of a fresh instance's forward, in helpers that backward calls, the step a parameter."""
FLAGS = ("finite_differences",)


def _numeric(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)  # flagged


def _probe(x):
    return Sigmoid().forward(x)  # flagged


class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        return (grad_out * _numeric(_probe, self.x, 1e-5),)
