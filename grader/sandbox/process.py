"""One worker process, seen from the grader: start it, exchange frames, drain its output, kill it.

Every wait has a deadline and is one ``select`` over three pipes (requests out, replies in,
the student's output in), so neither a worker that stops reading nor one that floods its
output can block the grader. Whatever the worker does, `kill` ends its whole process group
and then every process of its user (or, without a user of its own, of its session), reaps it,
and deletes its scratch folder. Nothing the worker sends is trusted: frames are size-capped
and parsed without pickle (frames.py), and the grader never writes into the scratch folder
after the worker has started.
"""

import collections
import os
import selectors
import signal
import time

from .untrusted import frames
from . import early, launchers
from . import users
from ..i18n import _


class Timeout(Exception):
    pass


class Closed(Exception):
    """The worker closed its reply pipe: it exited, or broke it."""


class Broken(Exception):
    """The worker sent something that is not a well-formed message where one was due."""


class Sink:
    """The student's output as bytes: the first `cap` kept, the rest counted."""

    def __init__(self, cap: int):
        self.cap, self.data, self.dropped = cap, bytearray(), 0
        self._mark = (0, 0)

    def write(self, chunk: bytes) -> None:
        room = max(0, self.cap - len(self.data))
        self.data += chunk[:room]
        self.dropped += len(chunk) - min(room, len(chunk))

    def mark(self) -> None:
        self._mark = (len(self.data), self.dropped)

    def rollback(self) -> None:
        """Forget everything written since `mark`."""
        del self.data[self._mark[0]:]
        self.dropped = self._mark[1]

    def since_mark(self) -> str:
        return bytes(self.data[self._mark[0]:]).decode("utf-8", "replace")


class WorkerProcess:
    def __init__(self, config: dict, account, sink: Sink, max_reply_array: int, fork_server: str = ""):
        self.config, self.account, self.sink = config, account, sink
        self.scratch = config["scratch"]
        self.threads = 1          # threads the worker said it had after its last batch
        self.last_op = None       # key of the op it last ran
        self._messages = collections.deque()
        self._pending = memoryview(b"")
        self._decoder = frames.Decoder(max_reply_array)
        # The worker `early.start` launched for this scratch folder, else one started now: the same.
        channels = early.claim(self.scratch) or launchers.Channels(self.scratch, fork_server)
        self._request, self._replies, self._output = channels.request, channels.replies, channels.output
        self._page, self.process = channels.page, channels.process
        self.pid = self.process.pid
        for fd in (self._request, self._replies, self._output):
            os.set_blocking(fd, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._replies, selectors.EVENT_READ)
        self._selector.register(self._output, selectors.EVENT_READ)
        self._closed = False

    # ------------------------------------------------------------------ talking

    def send(self, header: dict, arrays=()) -> None:
        """Queue a message; it is written while the next `receive` waits."""
        self.send_encoded(frames.encode(header, arrays))

    def send_encoded(self, data: bytes) -> None:
        self._pending = memoryview(bytes(self._pending) + data) if self._pending else memoryview(data)
        self._want_write(True)

    def receive(self, deadline: float):
        """The next (header, arrays) before `deadline` (time.monotonic), else Timeout/Closed/Broken."""
        while not self._messages:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout
            for key, _ in self._selector.select(remaining):
                if key.fd == self._output:
                    self.drain_output()
                elif key.fd == self._replies:
                    self._read_replies()
                else:
                    self._write_pending()
        return self._messages.popleft()

    def position(self) -> int:
        """The progress word: 0 before the first example, else (index + 1) * 2 + (1 in backward)."""
        return int.from_bytes(self._page[0:8], "little")

    def clear_position(self) -> None:
        """Before a new batch (the worker is idle, waiting for it)."""
        self._page[0:8] = bytes(8)

    def set_reply_caps(self, max_array_bytes: int, max_message_bytes: int) -> None:
        self._decoder.max_array_bytes = max_array_bytes
        self._decoder.max_message_bytes = max_message_bytes

    def _read_replies(self) -> None:
        try:
            data = os.read(self._replies, 1 << 20)
        except BlockingIOError:
            return
        if not data:
            raise Closed
        try:
            self._messages.extend(self._decoder.feed(data))
        except frames.FrameError as error:
            raise Broken(str(error)) from None

    def _write_pending(self) -> None:
        try:
            written = os.write(self._request, self._pending)
        except BlockingIOError:
            return
        except BrokenPipeError:  # the worker is gone or closed its end; its replies will say
            written = len(self._pending)
        self._pending = self._pending[written:]
        if not self._pending:
            self._want_write(False)

    def _want_write(self, on: bool) -> None:
        registered = self._request in self._selector.get_map()
        if on and not registered:
            self._selector.register(self._request, selectors.EVENT_WRITE)
        elif not on and registered:
            self._selector.unregister(self._request)

    def drain_output(self) -> None:
        """Read everything the worker has printed so far (non-blocking)."""
        while True:
            try:
                chunk = os.read(self._output, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                if self._output in self._selector.get_map():
                    self._selector.unregister(self._output)
                return
            self.sink.write(chunk)

    # ------------------------------------------------------------------ endings

    def wait_exit(self, seconds: float):
        """The exit status once the process has ended (None if it is still running after `seconds`)."""
        return self.process.wait(seconds)

    def death(self, activity: str, cpu_seconds: float) -> str:
        """Why it stopped, in one line: "the worker crashed (signal SIGSEGV) while running Cls.backward"."""
        code = self.wait_exit(2.0)
        if code is None:
            return _("the worker closed its reply channel while {activity}").format(activity=activity)
        if code < 0:
            if -code == signal.SIGXCPU:
                return (_("the worker exceeded its CPU time limit ({cpu_seconds:g} s) while {activity}")
                        .format(cpu_seconds=cpu_seconds, activity=activity))
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return _("the worker crashed (signal {name}) while {activity}").format(name=name, activity=activity)
        return _("the worker exited (status {code}) while {activity}").format(code=code, activity=activity)

    def kill(self) -> None:
        """End the worker and everything it started, reap it, delete its scratch folder."""
        if self._closed:
            return
        self._closed = True
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        self.wait_exit(5.0)  # reaped before the sweeps below, which skip the dead
        if self.account is not None:
            users.kill_user(self.account.uid)
        else:
            users.kill_session(self.pid)
        self.drain_output()
        self._selector.close()
        self._page.close()
        for fd in (self._request, self._replies, self._output):
            try:
                os.close(fd)
            except OSError:
                pass
        self.process.release()  # only now may its PID be reused
        users.remove_tree(self.scratch)
