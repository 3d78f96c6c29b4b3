"""What the worker may do, installed before any student code is compiled: limits, user, audit hook.

The worker calls, in this order (see worker.py): `set_limits` (as whoever started it),
`drop_privileges` (only when the grader runs as root), `limit_processes`, Landlock
(landlock.py), `die_with_parent`, `disarm`, `install_audit_hook`. Everything after that is
the student's.

The audit hook (PEP 578) cannot be removed once added. It refuses, with a PermissionError
that names what was refused:

* new processes (fork, exec, spawn, system, subprocess), signals to any other process, sockets,
  ctypes and cffi, and importing the grader itself;
* opening a folder (a folder descriptor would let ``dir_fd=`` paths escape the checks below),
  changing the working folder, and making links;
* writing, creating, renaming, removing or changing anything outside the scratch folder, and
  opening more than `MAX_WRITES` files for writing inside it (with RLIMIT_FSIZE: a full disk);
* reading under the private folders (the solutions, the results), reading another process's
  ``/proc`` entries, and reading anything outside the Python installation, the system folders
  and the scratch folder;
* the introspection that could reach the hook itself: ``gc.get_objects``/``get_referrers``/
  ``get_referents``, ``sys.settrace``/``setprofile``, other threads' frames, more audit hooks.

Paths are checked as the kernel resolves them: the hook opens the path with ``O_PATH`` (which
reads nothing) and asks ``/proc/self/fd`` where it leads, so ``..``, symbolic links and
``/proc/self/root`` tricks resolve to the file that would really be opened.

The hook reads its settings from its own default arguments and calls only C functions it
captured there; it looks up no global or builtin name (tests/test_sandbox.py checks the
bytecode), so rebinding ``os.open`` or ``builtins.str`` does not change it. An audit hook is
a tripwire, not a wall (PEP 578 says so): the walls are the separate process, the dropped
user, Landlock and the rlimits. Loaded by path by the worker: NumPy and the standard library
only.
"""

import ctypes
import os
import resource
import signal
import stat
import sys
import types

# Refused outright, whatever the arguments.
DENIED_EVENTS = frozenset({
    "os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.startfile",
    "subprocess.Popen", "os.killpg", "os.chdir", "os.link", "os.symlink", "resource.setrlimit",
    "resource.prlimit", "sys.addaudithook", "sys.settrace", "sys.setprofile", "sys._current_frames",
    "sys._current_exceptions", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
})
DENIED_PREFIXES = ("socket.", "ctypes.", "urllib.", "http.client.", "ftplib.", "smtplib.", "nntplib.",
                   "imaplib.", "poplib.", "telnetlib.", "webbrowser.")
# Modules (and their submodules) the student may not import.
BLOCKED_MODULES = frozenset({
    "grader", "ctypes", "_ctypes", "cffi", "_cffi_backend", "socket", "_socket", "ssl", "_ssl",
    "subprocess", "_posixsubprocess", "multiprocessing", "_multiprocessing", "pty", "webbrowser",
    "asyncio", "http", "ftplib", "smtplib", "xmlrpc",
})
# Why each blocked module is refused, as the refusal says it (the key is the top-level name).
BLOCKED_BECAUSE = {name: "it is the grader's own code" for name in ("grader",)} | \
    {name: "it runs native code" for name in ("ctypes", "_ctypes", "cffi", "_cffi_backend")} | \
    {name: "it starts processes" for name in ("subprocess", "_posixsubprocess", "multiprocessing",
                                               "_multiprocessing", "pty")} | \
    {name: "it opens network connections" for name in ("socket", "_socket", "ssl", "_ssl", "webbrowser",
                                                        "asyncio", "http", "ftplib", "smtplib", "xmlrpc")}
assert set(BLOCKED_BECAUSE) == BLOCKED_MODULES
# Events whose path arguments must stay inside the scratch folder: event -> (path positions,
# dir_fd positions, whether a file descriptor may stand for the path).
CHANGE_EVENTS = {
    "os.mkdir": ((0,), (2,), False), "os.rmdir": ((0,), (1,), False), "os.remove": ((0,), (1,), False),
    "os.rename": ((0, 1), (2, 3), False), "os.truncate": ((0,), (), True),
    "os.chmod": ((0,), (2,), False), "os.chown": ((0,), (3,), False), "os.utime": ((0,), (3,), False),
    "os.setxattr": ((0,), (), False), "os.removexattr": ((0,), (), False),
}
LISTING_EVENTS = frozenset({"os.listdir", "os.scandir", "os.getxattr", "os.listxattr"})
WATCHED_EVENTS = DENIED_EVENTS | LISTING_EVENTS | frozenset(CHANGE_EVENTS) | frozenset(
    {"open", "import", "os.kill", "object.__setattr__"})
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
MAX_WRITES = 64   # opens for writing per worker; with RLIMIT_FSIZE this bounds the scratch folder
# Functions no audit event covers, removed from the worker before student code runs.
UNAUDITED = {
    os: ("pidfd_open", "mkfifo", "mknod", "setpriority", "sched_setaffinity", "sched_setscheduler",
         "sched_setparam", "setsid", "setpgid", "setpgrp", "chroot", "fchdir"),
    signal: ("pidfd_send_signal",),
}


def set_limits(memory_bytes: int, cpu_seconds: float, file_bytes: int, open_files: int) -> None:
    """Address space, CPU seconds, file size, descriptors; no core files."""
    cpu = max(1, int(cpu_seconds + 0.999))
    for limit, value in ((resource.RLIMIT_CORE, (0, 0)),
                         (resource.RLIMIT_CPU, (cpu, cpu + 5)),   # SIGXCPU first, SIGKILL 5 s later
                         (resource.RLIMIT_FSIZE, (file_bytes, file_bytes)),
                         (resource.RLIMIT_NOFILE, (open_files, open_files)),
                         (resource.RLIMIT_AS, (memory_bytes, memory_bytes))):
        resource.setrlimit(limit, value)
    # Writing past RLIMIT_FSIZE then fails with EFBIG instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def drop_privileges(uid: int, gid: int) -> None:
    """Become `uid`/`gid` for good: real, effective and saved IDs, no supplementary groups."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
        raise OSError(f"could not become user {uid}")


def limit_processes(count: int) -> None:
    """RLIMIT_NPROC counts every task of the real user: useful only when that user is ours alone."""
    resource.setrlimit(resource.RLIMIT_NPROC, (count, count))


def die_with_parent(parent_pid: int) -> None:
    """SIGKILL this process when the thread that started it exits (Linux PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(1, signal.SIGKILL, 0, 0, 0) != 0:  # 1 = PR_SET_PDEATHSIG
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:  # the parent was already gone
        os._exit(1)


def disarm() -> None:
    """Remove the functions that bypass every audit event (pidfd signals, FIFOs, sessions)."""
    import posix
    import _signal
    for module, names in UNAUDITED.items():
        for name in names:
            for owner in (module, posix if module is os else _signal):
                owner.__dict__.pop(name, None)


def _resolve(path, _open=os.open, _close=os.close, _fstat=os.fstat, _readlink=os.readlink,
             _flags=os.O_PATH | os.O_CLOEXEC, _isdir=stat.S_ISDIR, _NotFound=FileNotFoundError,
             _NotFolder=NotADirectoryError, _str=str, _type=type, _decode=bytes.decode,
             _link="/proc/self/fd/%d"):
    """(real path, is a folder) as the kernel resolves `path`; a missing file resolves via its folder."""
    tail = None
    try:
        fd = _open(path, _flags)
    except _NotFound:
        separator = "/" if _type(path) is _str else b"/"
        head, slash, tail = path.rpartition(separator)
        if not slash:
            head = "." if _type(path) is _str else b"."
        elif not head:
            head = separator
        fd = _open(head, _flags)  # a missing folder raises: the caller's call fails closed
    try:
        real, mode = _readlink(_link % fd), _fstat(fd).st_mode
    finally:
        _close(fd)
    if tail is None:
        return real, _isdir(mode)
    if not _isdir(mode):
        raise _NotFolder(path)
    if _type(tail) is not _str:
        tail = _decode(tail, "utf-8", "surrogateescape")
    return real.rstrip("/") + "/" + tail, False


def make_audit_hook(scratch: str, private: tuple, readable: tuple, pid: int):
    """The hook, with every setting frozen into its default arguments (see the module docstring)."""
    scratch = os.path.realpath(scratch)
    # A private copy of _resolve: the module's own function stays reachable (and its defaults
    # replaceable) from student code; this one is referenced by the hook's defaults alone.
    resolve = types.FunctionType(_resolve.__code__, {}, "resolve", _resolve.__defaults__)

    def audit(event, args,
              _watched=WATCHED_EVENTS, _denied=DENIED_EVENTS, _denied_prefixes=DENIED_PREFIXES,
              _listing=LISTING_EVENTS, _changes=tuple(CHANGE_EVENTS.items()), _modules=BLOCKED_BECAUSE,
              _scratch=scratch + "/", _private=tuple(p.rstrip("/") + "/" for p in private),
              _readable=tuple(r.rstrip("/") + "/" for r in readable) + (scratch + "/",),
              _devices=("/dev/null",), _pid=pid, _pid_text=str(pid), _writes=WRITE_FLAGS,
              _writes_left=[MAX_WRITES], _max_writes=MAX_WRITES,
              _resolve=resolve, _resolve_code=_resolve.__code__, _here=__file__,
              _getframe=sys._getframe, _Denied=PermissionError, _ValueError=ValueError,
              _str=str, _bytes=bytes, _int=int, _type=type, _function=types.FunctionType,
              _startswith=str.startswith):
        if event not in _watched:
            if _startswith(event, _denied_prefixes):
                raise _Denied("the sandbox does not allow " + event)
            return
        if event in _denied:
            raise _Denied("the sandbox does not allow " + event)
        if event == "import":
            name = args[0]
            if _type(name) is _str and name.partition(".")[0] in _modules:
                raise _Denied("the sandbox does not allow importing " + name + ": " +
                              _modules[name.partition(".")[0]] + " (a submission may use NumPy and "
                              "the standard library's computation modules)")
            return
        if event == "os.kill":
            if args[0] != _pid:
                raise _Denied("the sandbox does not allow signals to other processes")
            return
        if event == "object.__setattr__":
            if _type(args[0]) is _function and args[1] in ("__code__", "__defaults__", "__kwdefaults__") \
                    and args[0].__code__.co_filename == _here:
                raise _Denied("the sandbox does not allow changing its own policy")
            return

        # Events with paths. Our own O_PATH lookups come back here as "open": let them through.
        try:
            if _getframe(1).f_code is _resolve_code:
                return
        except _ValueError:
            pass
        checks = []  # (path, mode): "read" or "write" (an open), "list", or "change" (mkdir, rename, ...)
        if event == "open":
            path, flags = args[0], args[2]
            if _type(path) is _int:
                return  # a descriptor this process already holds
            checks.append((path, "write" if flags & _writes else "read"))
        elif event in _listing:
            if args[0] is None or _type(args[0]) is _int:
                return  # the scratch folder itself, or a folder descriptor (which cannot be had)
            checks.append((args[0], "list"))
        else:
            for name, (paths, dir_fds, fd_ok) in _changes:
                if name == event:
                    for position in dir_fds:
                        if args[position] != -1:
                            raise _Denied("the sandbox does not allow dir_fd in " + event)
                    for position in paths:
                        if _type(args[position]) is _int and fd_ok:
                            continue
                        checks.append((args[position], "change"))
        for path, mode in checks:
            if _type(path) is not _str and _type(path) is not _bytes:
                raise _Denied("the sandbox needs a str or bytes path in " + event)
            real, is_folder = _resolve(path)
            if is_folder and mode in ("read", "write"):
                raise _Denied("the sandbox does not allow opening a folder: " + real)
            if mode in ("write", "change"):
                if real in _devices:
                    continue
                if not _startswith(real + "/", _scratch):
                    raise _Denied("the sandbox allows writing only in its scratch folder, not " + real)
                if mode == "write":
                    # RLIMIT_FSIZE caps each file; this caps how many, so the disk cannot fill.
                    _writes_left[0] -= 1
                    if _writes_left[0] < 0:
                        raise _Denied("the sandbox allows at most %d files opened for writing" % _max_writes)
                continue
            for folder in _private:
                if _startswith(real + "/", folder):
                    raise _Denied("the sandbox does not allow reading " + real)
            if _startswith(real, "/proc/"):
                first = real[6:].partition("/")[0]
                if first.isdigit() and first != _pid_text:
                    raise _Denied("the sandbox does not allow reading another process: " + real)
                continue
            for folder in _readable:
                if _startswith(real + "/", folder):
                    break
            else:
                raise _Denied("the sandbox does not allow reading " + real)

    return audit


def install_audit_hook(scratch: str, private: tuple, readable: tuple) -> None:
    sys.addaudithook(make_audit_hook(scratch, private, readable, os.getpid()))
