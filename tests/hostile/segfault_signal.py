"""Mul.backward sends SIGSEGV to its own process: the worker dies as in a real segfault.

Expected: mul fails with "the worker crashed (signal SIGSEGV) while running Mul.backward";
every other op keeps full marks.
"""
import os
import signal

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        os.kill(os.getpid(), signal.SIGSEGV)
