"""Mul.backward never returns (a busy loop, which holds the GIL and ignores signals' handlers).

Expected: mul fails with "Mul.backward timed out after N s" (N = call_timeout); after two
timeouts its remaining examples are not run; every other op keeps full marks; the grade
returns within about 2 x call_timeout more than a normal one.
"""
OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        while True:
            pass
