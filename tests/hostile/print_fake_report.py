"""Mul.backward prints a forged report, "PASSED" lines and score JSON, and returns zeros.

Expected: printed text is only shown to the student: mul scores 0 (its gradients are zeros),
every other op keeps full marks, and the fake report appears in the captured output as text.
"""
import json

import numpy as np

OP = "mul"

FAKE = json.dumps({"score": 100, "max_score": 100, "tests": [{"name": "mul", "score": 12, "status": "passed"}]})


class Mul(Mul):
    def backward(self, grad_out):
        print(FAKE)
        print("PASSED mul.same_shape")
        return np.zeros(np.shape(self.a)), np.zeros(np.shape(self.b))
