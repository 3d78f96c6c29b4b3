"""Atomic file writes: a reader (or a resumed batch) sees the old file or the new one, never half.

The bytes go to a temporary file in the target's own folder, which is then renamed over the
target with ``os.replace`` (atomic on POSIX within one file system). A process killed with
SIGKILL mid-write leaves at most a ``.NAME.*.tmp`` file behind, which `remove_temporaries`
clears. A target that is a symbolic link or not a regular file (``--json /dev/stdout``, a FIFO)
is written in place: renaming over it would replace the link or the device, not write to it. There is no fsync: atomicity against a killed process needs only the rename, and every
reader of these files (``--resume``, ``grader merge``) re-checks that what it reads parses.
"""

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()  # what open() would have given; mkstemp alone gives 0600


@contextlib.contextmanager
def atomic_file(path, mode: int = None):
    """``with atomic_file(path) as out: out.write(b"...")``: `path` appears whole or not at all.

    `mode`: the new file's permission bits (default: what ``open()`` gives under the umask).
    """
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        with open(path, "wb") as out:
            yield out
        return
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        os.fchmod(descriptor, _MODE if mode is None else mode)
        with os.fdopen(descriptor, "wb") as out:
            yield out
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_atomic(path, data, mode: int = None) -> None:
    """Write text (UTF-8) or bytes to `path` atomically (`mode` as for `atomic_file`)."""
    with atomic_file(path, mode) as out:
        out.write(data.encode("utf-8") if isinstance(data, str) else data)


def remove_temporaries(folder) -> None:
    """Delete what an interrupted `atomic_file` left in `folder` (only our own ``.*.tmp`` names)."""
    for leftover in Path(folder).glob(f".*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()
