"""open, pathlib reads, numpy loads, os.environ and getenv, also through aliases and __import__."""
FLAGS = ("files_or_environment",)

import os as system
import pathlib

shell = __import__("os")
from os import environ as env, getenv  # flagged

DEBUG = system.environ.get("DEBUG")  # flagged
HOME = env["HOME"]  # flagged


class Add(Add):
    def backward(self, grad_out):
        with open("/tmp/answers.txt") as answers:  # flagged
            answers.read()
        pathlib.Path("solutions/backprop/ops.py").read_text()  # flagged
        np.load("expected.npy")  # flagged
        getenv("USER")  # flagged
        shell.getenv("SHELL")  # flagged
        return grad_out, grad_out
