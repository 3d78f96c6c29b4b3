"""Landlock: the kernel's own file-system, TCP and signal walls around the worker (Linux >= 5.13).

Landlock lets an unprivileged process give up access for good: after `restrict` the worker
(and anything it could start) may read only the Python installation and a few system
folders, read and write only its scratch folder, make no TCP connection (ABI 4), and send no
signal to a process outside its own domain (ABI 6). The kernel enforces this, so it holds
even against code that gets around the audit hook (PrairieLearn's Java grader,
PrairieLearn/PrairieLearn graders/java, uses Landlock the same way). Reference: the kernel's
Documentation/userspace-api/landlock.rst and include/uapi/linux/landlock.h.

Where the kernel lacks Landlock or a seccomp profile blocks its system calls, `restrict`
returns why and changes nothing; the audit hook and the user drop still apply.

Loaded by path by the worker, before any student code runs: NumPy and the standard library only.
"""

import ctypes
import os
import platform

# Syscall numbers: the same on x86_64 and aarch64 (new calls share one table since Linux 5.x).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_MACHINES = ("x86_64", "aarch64")
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# include/uapi/linux/landlock.h, LANDLOCK_ACCESS_FS_*
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # all a non-folder rule may hold
_NET_TCP = 0b11          # LANDLOCK_ACCESS_NET_BIND_TCP | _CONNECT_TCP (ABI 4)
_SCOPES = 0b11           # LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL (ABI 6)

READ = EXECUTE | READ_FILE | READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _fs_rights(abi: int) -> int:
    return _FS_BY_ABI[max(version for version in _FS_BY_ABI if version <= abi)]


def restrict(read_write: list, read_only: list, devices: list) -> str:
    """Confine this process for good. Returns "landlock ABI n", or why nothing was done.

    `read_write`: folders with every right (the scratch folder); `read_only`: folders that may
    be read and executed; `devices`: files that may be read and written (/dev/null).
    """
    if platform.machine() not in _MACHINES:
        return f"not available on {platform.machine()}"
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    if abi < 1:
        return f"not available ({os.strerror(ctypes.get_errno())})"
    everything = _fs_rights(abi)
    attr = _RulesetAttr(everything, _NET_TCP if abi >= 4 else 0, _SCOPES if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return f"not available (create_ruleset: {os.strerror(ctypes.get_errno())})"
    try:
        rules = [(path, everything) for path in read_write]
        rules += [(path, READ & everything) for path in read_only]
        rules += [(path, (READ_FILE | WRITE_FILE | TRUNCATE) & everything) for path in devices]
        for path, rights in rules:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a folder this system does not have
            try:
                if not os.path.isdir(path):
                    rights &= _FILE_RIGHTS
                rule = _PathBeneathAttr(rights, fd)
                if syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
                    raise OSError(ctypes.get_errno(), f"add_rule {path}: {os.strerror(ctypes.get_errno())}")
            finally:
                os.close(fd)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"no_new_privs: {os.strerror(ctypes.get_errno())}")
        if syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), f"restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    return f"landlock ABI {abi}"
