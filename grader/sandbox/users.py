"""Who the worker runs as, and clearing up after it: its processes and any file it left behind.

When the grader runs as root (a container), student code must run as someone else
(Gradescope's "Security Best Practices", gradescope-autograders.readthedocs.io: run student code
as an unprivileged user; a user of its own also bounds its processes, RLIMIT_NPROC being per user). By default each runner takes a
*dedicated* user ID nobody else has, from a pool (`POOL`), held with a lock file for the
runner's lifetime. Dedicated, because cleaning up means "kill every process of that user" and
"delete every file of that user in the shared temporary folders": with a shared user such as
``nobody``, one runner's clean-up would kill the workers of the runners beside it in a
parallel batch, and RLIMIT_NPROC (which counts all of a user's processes) would throttle them
all together. Pool IDs need no /etc/passwd entry (the kernel needs none), and an ID that has
one is skipped. A named user (``user="grader-worker"``, or the ``GRADER_WORKER_USER``
variable the platform images set) is used as given, for one-submission-per-container setups.

Without root there is no one to become; the worker keeps the grader's user and clean-up
finds its processes by session instead.
"""

import fcntl
import itertools
import os
import pwd
import random
import shutil
import signal
import stat
import time
from dataclasses import dataclass

from ..i18n import _

POOL = range(47000, 48000)
LOCK_FOLDERS = ("/run/backprop-grader", "/tmp/backprop-grader-uids")
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")


class SandboxError(RuntimeError):
    """The sandbox cannot run at all (not the student's fault); the message is one line."""


@dataclass
class Account:
    uid: int
    gid: int
    name: str
    dedicated: bool       # a pool ID: this runner is its only user
    lock_fd: int = -1

    def release(self) -> None:
        if self.lock_fd >= 0:
            os.close(self.lock_fd)  # also drops the flock
            self.lock_fd = -1


def account_for(user) -> "Account | None":
    """The account the worker becomes: None (stay as we are), a pool ID, or a named user.

    `user`: None for the default (``GRADER_WORKER_USER`` if set, else a pool ID when root),
    a user name or ID, or False to never change user (debugging; tests of the other layers).
    """
    if user is False:
        return None
    explicit = user is not None
    if user is None:
        user = os.environ.get("GRADER_WORKER_USER") or None
    if os.geteuid() != 0:
        if explicit:
            raise SandboxError(_("running student code as {user} needs root").format(user=repr(user)))
        return None
    if user is None:
        return _dedicated()
    try:
        entry = pwd.getpwnam(user) if isinstance(user, str) else pwd.getpwuid(int(user))
        uid, gid, name = entry.pw_uid, entry.pw_gid, entry.pw_name
    except KeyError:
        if isinstance(user, str):
            raise SandboxError(_("there is no user {user} to run student code as").format(user=repr(user))) from None
        uid = gid = int(user)
        name = f"uid {uid}"
    if uid == 0 or gid == 0:
        raise SandboxError(_("refusing to run student code as root"))
    return Account(uid, gid, name, dedicated=False)


def _lock_folder() -> str:
    for folder in LOCK_FOLDERS:
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o022:
            return folder
    raise SandboxError(_("no safe folder for the sandbox's user locks (tried {folders})").format(folders=", ".join(LOCK_FOLDERS)))


# Where this process starts looking in the pool: after the ID it took last, so an ID just
# given back is not taken again at once (a random start spreads separate processes).
_START = itertools.count(random.randrange(len(POOL)))


def _dedicated() -> Account:
    folder = _lock_folder()
    start = next(_START)
    for uid in (POOL[(start + step) % len(POOL)] for step in range(len(POOL))):
        try:
            pwd.getpwuid(uid)
            continue  # a real account: not ours to use
        except KeyError:
            pass
        fd = os.open(os.path.join(folder, str(uid)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        # Ours now. Anything still running or lying around as this ID was left by a runner
        # that died without closing: it goes.
        kill_user(uid)
        sweep_files(uid)
        return Account(uid, uid, f"uid {uid}", dedicated=True, lock_fd=fd)
    raise SandboxError(_("all {count} sandbox user IDs are in use").format(count=len(POOL)))


# --------------------------------------------------------------------------- processes

def _proc_entries():
    for name in os.listdir("/proc"):
        if name.isdigit():
            yield int(name)


def processes_of(uid: int) -> list:
    """Live PIDs (zombies are dead already) with `uid` as real, effective, saved or fs user ID."""
    found = []
    for pid in _proc_entries():
        try:
            with open(f"/proc/{pid}/status", "rb") as status:
                text = status.read()
            state = text[text.index(b"\nState:") + 7:].lstrip()
            uids = text[text.index(b"\nUid:") + 5:].split(b"\n", 1)[0]
            if not state.startswith(b"Z") and uid in {int(value) for value in uids.split()}:
                found.append(pid)
        except (OSError, ValueError):
            continue
    return found


def session_members(sid: int) -> list:
    """Live PIDs whose session ID is `sid` (the worker starts a new session: its PID is the ID)."""
    found = []
    for pid in _proc_entries():
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat_file:
                fields = stat_file.read().rpartition(b")")[2].split()
            if fields[0] != b"Z" and int(fields[3]) == sid:
                found.append(pid)
        except (OSError, ValueError, IndexError):
            continue
    return found


def _kill_until_gone(find, *args) -> bool:
    for _ in range(50):
        pids = [pid for pid in find(*args) if pid != os.getpid()]
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.002)
    return False


def kill_user(uid: int) -> bool:
    """SIGKILL every process of `uid`, until none is left. False if some survived."""
    return _kill_until_gone(processes_of, uid)


def kill_session(sid: int) -> bool:
    return _kill_until_gone(session_members, sid)


# --------------------------------------------------------------------------- files

def sweep_files(uid: int) -> list:
    """Delete what `uid` owns at the top of the shared temporary folders. Returns the paths."""
    removed = []
    for folder in SHARED_TMP:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    remove_tree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(entry.path)
            except OSError:
                continue
    return removed


def remove_tree(path: str) -> None:
    """rmtree that also gets through folders the student made unreadable (chmod 000)."""
    def unlock(function, failed, _info):
        for target in (os.path.dirname(failed), failed):
            if not os.path.islink(target):  # never chmod through a link (we may be root)
                try:
                    os.chmod(target, 0o700)
                except OSError:
                    pass
        function(failed)

    try:
        shutil.rmtree(path, onerror=unlock)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
