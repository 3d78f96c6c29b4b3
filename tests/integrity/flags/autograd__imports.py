"""torch, jax and tensorflow by import, from-import, alias, __import__ and importlib, at module level and in backward."""
FLAGS = ("autograd",)

import importlib
import torch  # flagged
import jax.numpy as jnp  # flagged
from autograd import grad as agrad  # flagged

tf = importlib.import_module("tensorflow")  # flagged


class MatMul(MatMul):
    def backward(self, grad_out):
        t = __import__("torch")  # flagged
        a = t.tensor(self.a, requires_grad=True)
        b = t.tensor(self.b, requires_grad=True)
        (a @ b).backward(t.tensor(grad_out))
        return a.grad.numpy(), b.grad.numpy()
