"""A sandbox worker started first thing, so its start overlaps the grading process's own.

Starting a worker is mostly its Python importing NumPy (~0.15 s of CPU), and the grading process
meanwhile imports the grading stack and loads its bank. `start`, called by the command line
before either (cli/app.py: `grader grade`, a platform's `run`), launches the worker at once; the
first `WorkerProcess` of the same thread takes it over (`folder`, then `claim`) instead of
starting one. `discard` ends one nobody took when the command returns.

It is the very worker `launchers.Channels` would start later: the same command, environment,
descriptors and scratch folder, which stays empty and ours until the runner writes the source into
it and hands it to the worker's user, as before. Until its configuration comes the worker only
imports NumPy and its own modules, as a fork server's do (worker.main); the configuration then
sets its limits, user, Landlock and audit hook exactly as for a worker started late. So what the
student's code can see or do is unchanged. It is claimed only by the thread that started it: a
worker dies with the thread that started it (PR_SET_PDEATHSIG), and with it the runner's.
If the grader dies before the configuration, the request pipe closes and the worker exits.
"""

import atexit
import os
import shutil
import signal
import tempfile
import threading

from . import launchers

_waiting = None   # (thread, scratch, Channels) of the worker started early and not taken yet
_reserved = None  # its scratch folder once `folder` has handed it out


def start() -> None:
    """Launch a worker now, for the first runner of this thread. Never raises: a worker that could
    not start early is started late, as before, and says then why it cannot."""
    global _waiting
    if _waiting is not None:
        return
    scratch = tempfile.mkdtemp(prefix="grader-sandbox-")
    try:
        _waiting = (threading.get_ident(), scratch, launchers.Channels(scratch))
    except Exception:  # noqa: BLE001 - see above
        shutil.rmtree(scratch, ignore_errors=True)


def folder(fork_server: str = "") -> str:
    """The early worker's scratch folder for the runner about to start a worker ("" if none waits
    for this thread, or the runner forks its workers from a fork server)."""
    global _reserved
    if _waiting is None or _reserved or fork_server or _waiting[0] != threading.get_ident():
        return ""
    _reserved = _waiting[1]
    return _reserved


def claim(scratch: str):
    """The early worker's `Channels` if `scratch` is its folder (from `folder`), else None."""
    global _waiting, _reserved
    if _waiting is None or not _reserved or scratch != _reserved:
        return None
    channels, _waiting, _reserved = _waiting[2], None, None
    return channels


@atexit.register
def discard() -> None:
    """Kill the early worker if no runner took it, and delete its (empty) scratch folder."""
    global _waiting, _reserved
    if _waiting is None:
        return
    (_thread, scratch, channels), reserved = _waiting, _reserved
    _waiting, _reserved = None, None
    try:
        os.killpg(channels.process.pid, signal.SIGKILL)   # its own session: itself, nothing else yet
    except OSError:
        pass
    channels.process.wait(5.0)
    channels.page.close()
    for fd in (channels.request, channels.replies, channels.output):
        os.close(fd)
    if not reserved:   # else the runner it was handed to deletes it with its others
        shutil.rmtree(scratch, ignore_errors=True)
