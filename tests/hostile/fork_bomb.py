"""Mul.backward tries to start processes every way it can: fork, subprocess, os.system, spawn.

Expected: every attempt is refused ("the sandbox does not allow os.fork", ...): mul fails
with "Mul.backward raised PermissionError: the sandbox does not allow ..." and no process
is left behind; every other op keeps full marks.
"""
import os

OP = "mul"


class Mul(Mul):
    def backward(self, grad_out):
        for attempt in (lambda: os.system("sleep 100 &"),
                        lambda: os.posix_spawn("/bin/sleep", ["sleep", "100"], {}),
                        lambda: __import__("subprocess").Popen(["sleep", "100"]),
                        lambda: __import__("multiprocessing").Process(target=print).start()):
            try:
                attempt()
            except Exception as error:  # noqa: BLE001
                print("refused:", error)
        while True:
            os.fork()
