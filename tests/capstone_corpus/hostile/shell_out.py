# sandbox: every graph property fails with the refusal; no file appears | expect: refused
import os


def backward(loss):
    os.system("touch /tmp/capstone_hostile_pwned")
    raise SystemExit("should not get here")


def sgd_step(params, lr):
    pass
