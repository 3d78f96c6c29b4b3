"""At import, tries to create, link and rename files outside its scratch folder, every way it can.

open(), os.open, np.save, os.mkdir, os.rename, os.link, os.symlink, os.mkfifo and a write
through a symbolic link, all aimed at grader-hostile-* paths in /tmp and /dev/shm. The attack
swallows every error; the reference code remains.

Expected: none of the files exists afterwards; full marks (every op is the reference's).
"""
import os

import numpy as np

OP = None

_attempts = (
    lambda: open("/tmp/grader-hostile-open.txt", "w").write("x"),
    lambda: os.close(os.open("/dev/shm/grader-hostile-osopen", os.O_WRONLY | os.O_CREAT, 0o644)),
    lambda: np.save("/tmp/grader-hostile-array.npy", np.zeros(3)),
    lambda: os.mkdir("/tmp/grader-hostile-folder"),
    lambda: open("mine.txt", "w").write("x") and os.rename("mine.txt", "/tmp/grader-hostile-renamed"),
    lambda: os.link("mine.txt", "/tmp/grader-hostile-hardlink"),
    lambda: os.symlink("/tmp", "escape") or open("escape/grader-hostile-via-link", "w").write("x"),
    lambda: os.mkfifo("/tmp/grader-hostile-fifo"),
    lambda: open("../grader-hostile-up.txt", "w").write("x"),
    lambda: open(f"/proc/{os.getpid()}/root/tmp/grader-hostile-root.txt", "w").write("x"),
)
for _attempt in _attempts:
    try:
        _attempt()
    except Exception as _error:  # noqa: BLE001
        print("refused:", _error)
