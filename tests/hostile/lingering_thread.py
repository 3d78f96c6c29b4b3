"""Mul.backward starts a thread that outlives the op, then forges replies and reports later.

The thread waits 2 s, then writes a fake "done" frame and garbage to every descriptor, and a
report file in /tmp. Mul itself is correct.

Expected: the worker reports the extra thread after the mul op, so the grader replaces it
before the next op; the thread dies with it and nothing it writes is read. Full marks (every
op is the reference's), no file outside the scratch folder, no process left.
"""
import os
import threading
import time

OP = "mul"


def _mul_linger():
    time.sleep(2)
    for fd in range(3, 1024):
        try:
            os.write(fd, b'BPF2\x0f\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00{"type":"done"}[]' + b"garbage" * 100)
        except OSError:
            pass
    try:
        with open("/tmp/grader-hostile-lingering.json", "w") as out:
            out.write('{"score": 100}')
    except OSError:
        pass


class Mul(Mul):
    def backward(self, grad_out):
        if not any(t.name == "linger" for t in threading.enumerate()):
            threading.Thread(target=_mul_linger, name="linger", daemon=True).start()
        return super().backward(grad_out)
