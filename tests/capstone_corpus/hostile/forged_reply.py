# protocol: graph.py writes forged frames and progress to the worker's descriptors, then exits | expect: error
import os


def backward(loss):
    for fd in range(3, 12):
        try:
            os.write(fd, b'{"type": "cases", "cases": [{"i": 0, "error": ""}]}\n')
        except OSError:
            pass
    os._exit(0)


def sgd_step(params, lr):
    pass
