"""The fork server: a clean ``python -I`` process, NumPy already imported, that forks sandbox workers.

Why it exists: a worker started from scratch spends about 0.08 s of CPU on starting Python and
importing NumPy, a third of all it costs to grade one submission in the sandbox. A batch
starts one fork server (launchers.py, `ForkServer`) and each worker is forked from it instead,
so that cost is paid once per batch.

Why it is safe: the fork server is started by ``exec`` like any worker (``python -I -B``, an
empty environment but ``*_NUM_THREADS=1``), never sees an expected value, the bank or the
rubric, and never runs student code. It imports NumPy and the worker's own modules, nothing
else. A forked worker goes on exactly as a started one would after its imports (worker.py,
`serve`): its own session, the grader's pipes as its only descriptors, its scratch folder as
its working folder, then rlimits, user drop, Landlock and the audit hook before any student code.

Protocol, on a Unix stream socket the grader created and passed as a descriptor (its folder is
private to the grader's user, and the peer's user ID is checked): the grader connects once per
worker and sends one JSON line with the worker's folder and environment, with the worker's
descriptors attached (SCM_RIGHTS: its request, reply and output pipes and its progress page). The fork server answers ``{"pid": N}`` when the worker
is forked and ``{"exit": code}`` (``subprocess`` style: negative for a signal) when it has
ended. The worker stays a zombie, so its PID and process group cannot be reused, until the
grader closes the connection; closing it also kills the worker if it is still running. So a
grading process that dies, even by SIGKILL, takes its worker with it, and the fork server
dies with the batch that started it (PR_SET_PDEATHSIG), taking every worker with it.

Loaded by path: NumPy and the standard library only.
"""

import gc
import importlib.util
import json
import os
import selectors
import signal
import socket
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_REQUEST = 1 << 16   # bytes of one request line
FDS = ("request", "reply", "progress", "output")   # the descriptors a request carries, in order


def load_worker():
    spec = importlib.util.spec_from_file_location("sandbox_worker", HERE / "worker.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exit_code(result) -> int:
    """A waitid result as ``subprocess`` reports it: the exit status, or minus the signal."""
    if result.si_code == os.CLD_EXITED:
        return result.si_status
    return -result.si_status


class Client:
    """One grader connection: at most one worker, forked on its first request."""

    def __init__(self, conn):
        self.conn, self.pid, self.pidfd, self.exited = conn, None, None, False

    def say(self, message: dict) -> None:
        try:
            self.conn.sendall(json.dumps(message).encode() + b"\n")
        except OSError:
            pass


def become_worker(worker, request: dict, fds: list) -> None:
    """In the forked child: take the grader's pipes, leave everything of the server's, serve."""
    code = 1
    try:
        request_fd, reply_fd, progress_fd, output_fd = fds
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        keep = {0, 1, 2, request_fd, reply_fd, progress_fd}
        for name in os.listdir("/proc/self/fd"):  # the listening socket, other graders' connections
            if int(name) not in keep:
                try:
                    os.close(int(name))
                except OSError:
                    pass
        os.chdir(request["scratch"])
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        code = worker.serve(request_fd, reply_fd, progress_fd, parent=os.getppid())
    except BaseException:  # noqa: BLE001 - the grader sees the exit status and the pipes
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        os._exit(code)


def main(argv) -> int:
    listen_fd, parent = int(argv[1]), int(argv[2])
    worker = load_worker()
    worker.warm()
    import numpy  # noqa: F401 - the point of the fork server

    policy = worker.load_by_path("sandbox_policy", HERE / "policy.py")
    policy.die_with_parent(parent)
    listener = socket.socket(fileno=listen_fd)
    listener.setblocking(False)
    uid = os.getuid()
    os.close(os.pidfd_open(os.getpid()))  # Linux >= 5.3; the grader starts workers itself without it
    os.write(1, b"ready\n")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)

    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, None)
    # Everything imported so far is shared with every worker; a garbage collection in a worker
    # would touch (and so copy) all of it. Frozen objects are left out of collections.
    gc.freeze()

    def forget(client: Client) -> None:
        """The grader is gone: kill the worker if it still runs, reap it, close everything."""
        selector.unregister(client.conn)
        client.conn.close()
        if client.pid is None:
            return
        if not client.exited:
            try:
                os.killpg(client.pid, signal.SIGKILL)
            except OSError:
                pass
        if client.pidfd is not None:
            selector.unregister(client.pidfd)
            os.close(client.pidfd)
            client.pidfd = None  # its exit, if also ready in this round, is no longer ours to report
        try:
            os.waitpid(client.pid, 0)  # quick: it was dead or has just been killed
        except ChildProcessError:
            pass

    while True:
        for key, _ in selector.select():
            if key.data is None:  # a new grader connection
                try:
                    conn, _ = listener.accept()
                    peer_uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                                   struct.calcsize("3i")))[1]
                except OSError:
                    continue
                if peer_uid != uid:
                    conn.close()
                    continue
                selector.register(conn, selectors.EVENT_READ, ("conn", Client(conn)))
                continue
            what, client = key.data
            if what == "exit":  # the worker ended: report it, keep the zombie until the grader is done
                if client.pidfd is None:
                    continue
                try:
                    result = os.waitid(os.P_PID, client.pid, os.WEXITED | os.WNOWAIT)
                except ChildProcessError:
                    continue
                client.exited = True
                selector.unregister(client.pidfd)
                os.close(client.pidfd)
                client.pidfd = None
                client.say({"exit": exit_code(result)})
                continue
            try:
                data, fds, _, _ = socket.recv_fds(client.conn, MAX_REQUEST, len(FDS))
            except OSError:
                data, fds = b"", []
            if not data or client.pid is not None:  # closed, or a second request: the grader is done
                for fd in fds:
                    os.close(fd)
                forget(client)
                continue
            if not data.endswith(b"\n") or len(fds) != len(FDS):  # one request, whole, in one message
                for fd in fds:
                    os.close(fd)
                forget(client)
                continue
            try:
                request = json.loads(data)
                pid = os.fork()
            except (ValueError, OSError) as error:
                client.say({"error": f"{type(error).__name__}: {error}"[:300]})
                for fd in fds:
                    os.close(fd)
                forget(client)
                continue
            if pid == 0:
                become_worker(worker, request, fds)
            for fd in fds:
                os.close(fd)
            client.pid = pid
            try:
                client.pidfd = os.pidfd_open(pid)
            except OSError:  # out of descriptors: no exit report, so no worker
                forget(client)
                continue
            selector.register(client.pidfd, selectors.EVENT_READ, ("exit", client))
            client.say({"pid": pid})


if __name__ == "__main__":
    sys.exit(main(sys.argv))
