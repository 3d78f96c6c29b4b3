"""Names and text that look like autograd libraries but import none."""
FLAGS = ()

import numpy.linalg as torch_free_linalg

torch = None        # a variable, not the library
NOTE = "no torch, no jax, no tensorflow, no autograd here: import torch is forbidden"


class MatMul(MatMul):
    def backward(self, grad_out):
        # import torch would be easier, but it is not allowed
        jax = grad_out @ self.b.T
        return jax, torch_free_linalg.multi_dot([self.a.T, grad_out])
