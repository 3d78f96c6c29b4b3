"""How a worker process comes to exist: started by ``exec``, or forked by a batch's fork server.

`launch` gives a `Started` worker either way: its PID, a way to wait for its exit status, and
`release` once the grader has killed and swept it. process.py does not care which it got.

* `Spawned`: ``python -I -B worker.py`` through ``subprocess.Popen``. Always available; what a
  single ``grader grade`` uses.
* `Forked`: asked of a `ForkServer` (forkserver.py) over its Unix socket. Saves starting Python
  and importing NumPy for every submission of a batch (about 0.08 s of CPU each). If the fork
  server cannot be reached, `launch` falls back to `Spawned`: slower, equally confined.
"""

import json
import mmap
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKER = Path(__file__).parent / "untrusted" / "worker.py"
FORK_SERVER = Path(__file__).parent / "untrusted" / "forkserver.py"
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                    "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS")
BASE_ENV = {"PATH": "/usr/bin:/bin", **{name: "1" for name in THREAD_VARIABLES}}
START_TIMEOUT = 30.0   # seconds for the fork server to import NumPy, or to answer one request
PROGRESS_BYTES = 4096  # the page the worker marks its progress on (worker.Progress)


class Unavailable(Exception):
    """The fork server could not be started or reached."""


class Spawned:
    """A worker started with ``exec``: a child of the grading process."""

    def __init__(self, fds: tuple, scratch: str, env: dict):
        request_read, reply_write, progress, output_write = fds
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-B", str(WORKER), str(request_read), str(reply_write), str(progress)],
            stdin=subprocess.DEVNULL, stdout=output_write, stderr=output_write,
            pass_fds=(request_read, reply_write, progress), cwd=scratch, env=env,
            start_new_session=True, close_fds=True)
        self.pid = self.process.pid

    def wait(self, seconds: float):
        """The exit status (negative: killed by that signal), or None if still running after `seconds`."""
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return None

    def release(self) -> None:
        self.wait(0)


class Forked:
    """A worker forked by the fork server; the connection stays open until `release`."""

    def __init__(self, address: str, fds: tuple, scratch: str, env: dict):
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._lines, self._buffer, self.code = [], b"", None
        try:
            self._conn.connect(address)
            request = json.dumps({"scratch": scratch, "env": env}).encode() + b"\n"
            socket.send_fds(self._conn, [request], list(fds))
            reply = self._next(time.monotonic() + START_TIMEOUT)
        except (OSError, ValueError) as error:
            self._conn.close()
            raise Unavailable(str(error)) from None
        if not isinstance(reply, dict) or type(reply.get("pid")) is not int:
            self._conn.close()
            raise Unavailable(f"the fork server answered {str(reply)[:200]}")
        self.pid = reply["pid"]

    def _next(self, deadline: float):
        """The next JSON line from the fork server, or None at the deadline."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._conn], [], [], remaining)[0]:
                return None
            data = self._conn.recv(4096)
            if not data:
                raise OSError("the fork server closed the connection")
            self._buffer += data
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def wait(self, seconds: float):
        if self.code is None:
            try:
                reply = self._next(time.monotonic() + seconds)
            except (OSError, ValueError):
                return None
            if isinstance(reply, dict) and type(reply.get("exit")) is int:
                self.code = reply["exit"]
        return self.code

    def release(self) -> None:
        """The fork server reaps the worker (killing it first if it still runs)."""
        self._conn.close()


def launch(fds: tuple, scratch: str, env: dict, fork_server: str = ""):
    """A started worker holding `fds`: request read end, reply write end, progress page, output write end."""
    if fork_server:
        try:
            return Forked(fork_server, fds, scratch, env)
        except Unavailable:
            pass
    return Spawned(fds, scratch, env)


class Channels:
    """A started worker and the grader's ends of its descriptors: requests (write), replies
    (read), the student's output (read) and the progress page (shared memory)."""

    def __init__(self, scratch: str, fork_server: str = ""):
        request_read, self.request = os.pipe()
        self.replies, reply_write = os.pipe()
        self.output, output_write = os.pipe()
        # The progress page (worker.Progress): shared memory, so reading it costs the worker nothing.
        page = os.memfd_create("backprop-progress", os.MFD_CLOEXEC)
        os.ftruncate(page, PROGRESS_BYTES)
        self.page = mmap.mmap(page, PROGRESS_BYTES)
        env = {**BASE_ENV, "HOME": scratch, "TMPDIR": scratch}
        try:
            self.process = launch((request_read, reply_write, page, output_write), scratch, env, fork_server)
        finally:
            for fd in (request_read, reply_write, page, output_write):
                os.close(fd)


class ForkServer:
    """The fork server of one batch. Start it before forking grading processes; `close` at the end.

    Its socket lives in a folder only our user can enter; the server also checks each peer's
    user ID. It dies with the thread that started it.
    """

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="grader-forkserver-")
        self.address = os.path.join(self.folder, "socket")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.process = None
        try:
            listener.bind(self.address)
            listener.listen(64)
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-B", str(FORK_SERVER), str(listener.fileno()), str(os.getpid())],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                pass_fds=(listener.fileno(),), cwd=self.folder, env=dict(BASE_ENV),
                start_new_session=True, close_fds=True)
            ready = select.select([self.process.stdout], [], [], START_TIMEOUT)[0]
            line = self.process.stdout.readline() if ready else b""
            if line != b"ready\n":
                raise Unavailable("the fork server did not start")
        except (OSError, Unavailable) as error:
            self.close()
            raise Unavailable(str(error)) from None
        finally:
            listener.close()
        self.process.stdout.close()

    @classmethod
    def start_or_none(cls):
        try:
            return cls()
        except Unavailable:
            return None

    def close(self) -> None:
        """Stop the fork server; the workers it forked die with it."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
