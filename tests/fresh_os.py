"""A fresh Debian root to install and run the Gradescope bundle in (tests/test_fresh_os.py).

`root_tarball()` builds a minimal Debian with mmdebstrap (https://manpages.debian.org/bookworm/
mmdebstrap/mmdebstrap.1.en.html) from Debian's packages and caches it as a tarball outside the
clone, under ``$XDG_CACHE_HOME/backprop-kit/`` (``~/.cache`` by default), named by a hash of
what went into it (suite, variant, package list, mirror, architecture): a new clone, or CI, reuses
it, and a changed package list builds a new one. Every test run unpacks it into a new folder, so
each run starts from the same fresh OS, never from what an earlier setup.sh left behind.

`run_in_root()` runs a command there the way a container runtime would: as root, in
`chroot(8)`, inside new mount and PID namespaces (`unshare(1)`), with its own /proc, a
read-only /sys and a minimal /dev (null, zero, full, random, urandom, tty, shm), nothing of the
host's. Everything mounted vanishes with the namespace, even if the test is killed. Only the
host's network settings go in: resolv.conf, and its CA bundle as ``PIP_CERT`` (a TLS-inspecting
proxy on the build machine would otherwise make pip fail, which says nothing about the bundle).

Run it as a script to build (or find) the cached root: ``python tests/fresh_os.py``.
"""

import fcntl
import hashlib
import json
import os
import platform
import shutil
import ssl
import subprocess
import sys
import tempfile
from pathlib import Path

# Bookworm's system Python is 3.11, the oldest the grader supports; Gradescope's base images are
# Ubuntu with the distribution's Python. "python3" without its venv module, as on those images:
# setup.sh then has to install python3.11-venv itself, the path a fresh OS takes.
SUITE = "bookworm"
VARIANT = "minbase"
PACKAGES = ("python3",)
MIRROR = "http://deb.debian.org/debian"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
HOST_CA = "/etc/ssl/host-ca-certificates.crt"  # where the host's CA bundle goes in the root

# Runs as root in the new namespaces: mount what a container has, then chroot. $1 is the root.
ENTER = r"""
set -e
root="$1"; shift
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t tmpfs -o mode=755,nosuid dev "$root/dev"
node() { mknod -m 666 "$root/dev/$1" c "$2" "$3"; }
node null 1 3; node zero 1 5; node full 1 7; node random 1 8; node urandom 1 9; node tty 5 0
mkdir "$root/dev/shm" "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s fd/0 "$root/dev/stdin"; ln -s fd/1 "$root/dev/stdout"; ln -s fd/2 "$root/dev/stderr"
exec chroot "$root" "$@"
"""
UNSHARE = ["unshare", "--mount", "--pid", "--fork", "--propagation", "private", "--"]


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "backprop-kit"


def recipe() -> dict:
    return {"suite": SUITE, "variant": VARIANT, "packages": sorted(PACKAGES), "mirror": MIRROR,
            "architecture": platform.machine()}


def tarball_path() -> Path:
    key = hashlib.sha256(json.dumps(recipe(), sort_keys=True).encode()).hexdigest()[:12]
    return cache_folder() / f"debian-{SUITE}-{VARIANT}-{key}.tar"


def chroot_problem() -> str:
    """Why a chroot with its own mounts cannot be made here ("" when it can)."""
    if os.geteuid() != 0:
        return "chroot and mount need root; this test runs only as root"
    if not shutil.which("unshare") or not shutil.which("chroot"):
        return "unshare(1) or chroot(8) is not installed"
    # The same namespaces and mounts as run_in_root, on a scratch root that borrows the host's
    # programs (read-only bind mounts, gone with the namespace): no Debian root needs building.
    with tempfile.TemporaryDirectory(prefix="grader-chroot-probe-") as scratch:
        binds = []
        for name in ("proc", "sys", "dev", "usr", "bin", "lib", "lib64"):
            host, inside = Path("/", name), Path(scratch, name)
            if host.is_symlink():
                inside.symlink_to(os.readlink(host))
            elif host.is_dir():
                inside.mkdir()
                if name not in ("proc", "sys", "dev"):
                    binds.append(f'mount --bind -o ro "/{name}" "$1/{name}"')
        probe = subprocess.run([*UNSHARE, "sh", "-c", "\n".join(["set -e", *binds, ENTER]), "enter", scratch,
                                "/usr/bin/true"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or [f"exit {probe.returncode}"])[-1]
        return f"cannot make a chroot with its own /proc and /dev here (a container without CAP_SYS_ADMIN?): {reason}"
    return ""


def root_tarball() -> Path:
    """The cached Debian root, built first if absent (about two minutes, network needed)."""
    target = tarball_path()
    if target.exists():
        return target
    if not shutil.which("mmdebstrap"):
        raise RuntimeError("mmdebstrap is not installed: `make test` installs it "
                           "(or run `apt-get install mmdebstrap`)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / "debian-root.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run building the same root: wait for it
        if target.exists():
            return target
        partial = target.with_suffix(".partial.tar")
        command = ["mmdebstrap", "--quiet", f"--variant={VARIANT}", f"--include={','.join(PACKAGES)}",
                   SUITE, str(partial), MIRROR]
        built = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if built.returncode != 0:
            partial.unlink(missing_ok=True)
            raise RuntimeError(f"{' '.join(command)} failed:\n{built.stderr[-3000:]}")
        os.replace(partial, target)  # whole or absent: a killed build leaves no half root behind
    return target


def unpack(tarball: Path, folder: Path) -> Path:
    """A fresh copy of the root in a tmpfs mounted on `folder` (created), with the host's network
    settings; returns it. In memory: the root and setup.sh's venv are some 36,000 files, which a
    busy disk takes a minute to write and another to delete; `remove_root` unmounts it at once."""
    folder.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=4g", "backprop-kit-fresh-os", str(folder)],
                   check=True, timeout=60)
    subprocess.run(["tar", "--numeric-owner", "-xpf", str(tarball), "-C", str(folder)], check=True, timeout=600)
    shutil.copyfile("/etc/resolv.conf", folder / "etc" / "resolv.conf")
    ca = folder / HOST_CA.lstrip("/")
    ca.parent.mkdir(parents=True, exist_ok=True)  # minbase has no /etc/ssl until ca-certificates
    shutil.copyfile(host_ca_bundle(), ca)
    return folder


def host_ca_bundle() -> str:
    for candidate in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"),
                      ssl.get_default_verify_paths().cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeError("no CA bundle on this machine for pip in the chroot")


def run_in_root(root: Path, script: str, timeout: float = 900, **env) -> subprocess.CompletedProcess:
    """bash -c SCRIPT as root in the chroot, with a clean environment (PATH, HOME, PIP_CERT, env)."""
    variables = {"PATH": PATH, "HOME": "/root", "PIP_CERT": HOST_CA, **env}
    command = ["/usr/bin/env", "-i", *(f"{name}={value}" for name, value in variables.items()),
               "/bin/bash", "-c", script]
    return subprocess.run([*UNSHARE, "sh", "-c", ENTER, "enter", str(root), *command],
                          capture_output=True, text=True, timeout=timeout)


def remove_root(root: Path) -> None:
    """Unmount an unpacked root (its tmpfs), refusing while anything is still mounted inside it."""
    real = os.path.realpath(root)
    with open("/proc/self/mounts") as mounts:
        busy = [line.split()[1] for line in mounts if line.split()[1].startswith(real + "/")]
    if busy:
        raise RuntimeError(f"still mounted under {real}: {busy}")
    if os.path.ismount(real):
        subprocess.run(["umount", real], check=True, timeout=60)


if __name__ == "__main__":
    problem = chroot_problem()
    print(root_tarball())
    if problem:
        print(f"note: {problem}", file=sys.stderr)
