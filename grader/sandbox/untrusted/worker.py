"""The sandbox worker: the only process that runs a student's code.

Started by the grader (runner.py, launchers.py) as ``python -I -B worker.py REQUEST_FD RESULT_FD
PROGRESS_FD`` in a fresh scratch folder that holds a copy of the student's source, or forked
into the same state by a batch's fork server (forkserver.py), which calls `serve`. ``-I`` keeps
``PYTHON*`` variables, the user's site-packages and the script's own folder off ``sys.path``,
so a planted ``numpy.py`` or ``sitecustomize.py`` is never imported
(ls1intum/Artemis#12782: a pytest grader collected a student's own conftest.py). Standard input is /dev/null; standard output and
error go to a pipe the grader reads, caps and shows to the student as text; messages travel on
two other descriptors as frames of JSON and .npy (frames.py); the third is the progress page.

The worker knows nothing about expected values, tolerances, the rubric or scores: it receives
inputs and upstream gradients, runs the student's ``forward``/``backward``, and reports what came
back, exactly as `grader.run.in_process.InProcessRunner` would see it (same `returns.normalize`, same
error lines). Whatever it reports is only a claim the grader checks; a student who takes over
this process can make it claim anything an honest ``backward`` could return, nothing more.

Sequence: import NumPy and our own modules (what a fork server preloads; the grader may start
this worker before it knows the submission, early.py); read the configuration; set rlimits;
say "ready"; import the modules
the source names (imports.py: before the user drop, the Python installation may be unreadable
to that user); drop to the sandbox user, Landlock, die-with-parent, the audit hook (policy.py);
say "confined"; execute the student's source as an import would (returns.load_module); when
the configuration names the capstone's files (``"capstone"``: graph.py, network.py in the
scratch folder), load its harness (capstone.py) beside that module, whose class then answers
"run" messages for ``Capstone`` before any class of the student's; say "loaded"; then answer
"run" messages, each with chunks of replies and a "done", until the
grader closes the pipe. This file is loaded by path and must not import the ``grader``
package: NumPy and the standard library only.
"""

import contextlib
import importlib.util
import io
import os
import sys
import threading
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT_WARNINGS = 20          # warning lines appended per capture, as InProcessRunner does
MAX_NAME = 200                # characters of a type name sent back
MAX_ENTRIES = 64              # returned entries sent back; the count is always exact
MIN_ARRAY_CAP = 1 << 16       # bytes an array may always have; see array_cap
REQUEST_ARRAY_CAP = 1 << 28   # bytes of one input array the grader may send
FLUSH_EXAMPLES = 32           # a chunk of replies is sent after this many examples,
FLUSH_BYTES = 1 << 20         # or this many bytes of arrays,
FLUSH_SECONDS = 0.05          # or this much work, whichever comes first

_LOADED = {}


def load_by_path(name: str, path: Path):
    """Our own module at `path`, executed once per process (a forked worker finds it loaded)."""
    if name not in _LOADED:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _LOADED[name] = module
    return _LOADED[name]


# Loading the student's file and describing its errors: calls.py, shared with the in-process runner.


MAX_CLASSES = 4096            # names looked at for classes: a correct ops file has a few dozen


def classes_present(module) -> list:
    """The names under which the module has a class (the grader checks the ones it needs)."""
    try:
        names = [name for name in dir(module) if isinstance(name, str)][:MAX_CLASSES]
    except BaseException:  # noqa: BLE001 - a module __dir__ of the student's
        return []
    present = []
    for name in names:
        try:
            if isinstance(getattr(module, name, None), type):
                present.append(name)
        except BaseException:  # noqa: BLE001 - a module __getattr__ of the student's
            pass
    return present


class Capture:
    """Around student code, as InProcessRunner._capture: stdout and stderr redirected, warnings
    appended, and NumPy's error handling restored afterwards, so an ``np.seterr`` at import time
    or in one batch does not carry over to the next."""

    def __init__(self, stream, np):
        self.stream, self.np = stream, np

    @contextlib.contextmanager
    def __call__(self):
        with contextlib.redirect_stdout(self.stream), contextlib.redirect_stderr(self.stream), \
                warnings.catch_warnings(record=True) as caught, self.np.errstate():
            warnings.simplefilter("always")
            yield
        for warning in caught[:OUTPUT_WARNINGS]:
            self.write(f"{warning.category.__name__}: {warning.message}\n")
        self.flush()

    def write(self, text: str) -> None:
        with contextlib.suppress(Exception):
            self.stream.write(text)

    def flush(self) -> None:
        with contextlib.suppress(Exception):
            self.stream.flush()


# ----------------------------------------------------------------------- what goes back

def array_cap(arrays) -> int:
    """Bytes one returned array may have: any correctly shaped float64 (or complex) result fits.

    A gradient is shaped like its input and forward's output like ``grad_out``, so four times
    the largest array of the example is always enough; anything larger is certainly wrong and
    comes back as the *name* "ndarray of shape (...)", which costs the grader nothing.
    """
    return max([MIN_ARRAY_CAP] + [4 * a.nbytes for a in arrays])


class Chunk:
    """Replies about several examples (`Reply`), sent as one message with the arrays they point into.

    Sent when it holds `FLUSH_EXAMPLES` examples, `FLUSH_BYTES` of arrays or `FLUSH_SECONDS` of
    work, whichever comes first. A worker that dies takes its unsent chunk with it; the grader
    learns from the progress page where it died and runs those examples again in a new worker.
    """

    def __init__(self):
        self.replies, self.arrays, self.nbytes, self.started = [], [], 0, time.monotonic()

    def full(self) -> bool:
        return len(self.replies) >= FLUSH_EXAMPLES or self.nbytes >= FLUSH_BYTES or \
            time.monotonic() - self.started >= FLUSH_SECONDS


class Progress:
    """Which example the worker is running, and in which stage, in a page shared with the grader.

    One 8-byte word, ``(index + 1) * 2 + (1 in backward, 0 in forward)``, 0 before the first example.
    The grader reads it when a reply is late or the worker has died, so that a hang or a crash is
    pinned on its example without a message per example. Like every reply, it is a claim: a
    worker that writes nonsense there only misplaces its own failure.
    """

    def __init__(self, fd: int):
        import mmap
        self.page = mmap.mmap(fd, 0)  # the whole page, as large as the grader made it
        os.close(fd)

    def mark(self, index: int, stage: int) -> None:
        self.page[0:8] = ((index + 1) * 2 + stage).to_bytes(8, "little")


class Reply:
    """One example's report being built, as compact JSON that points into its chunk's arrays.

    A reply is ``[index, error, output, returns, inputs_after, grad_outs_after]``. A value is
    ``null``, an array's index in the chunk (an int), or, for anything else, the name of its type
    (a string). ``returns`` holds ``[container, count, [value, ...]]`` per backward call; the
    inputs after the calls are ``null`` when none changed, else a value per input (``null``: this
    one did not). Lists, not objects: a chunk's JSON is a third of the size and encodes 3x faster.
    """

    def __init__(self, np, cap: int, chunk: Chunk):
        self.np, self.cap, self.chunk = np, cap, chunk

    def spec(self, value):
        np = self.np
        if value is None:
            return None
        if not isinstance(value, np.ndarray):  # a returns.Foreign
            return str(getattr(value, "type_name", "object"))[:MAX_NAME]
        if value.dtype.hasobject or not getattr(type(value.dtype), "_legacy", True):
            return f"ndarray of dtype {value.dtype}"[:MAX_NAME]
        if value.nbytes > self.cap:
            return f"ndarray of shape {value.shape}"[:MAX_NAME]
        self.chunk.arrays.append(value)
        self.chunk.nbytes += value.nbytes
        return len(self.chunk.arrays) - 1

    def returned(self, value) -> list:
        return [str(value.container)[:MAX_NAME], len(value.entries),
                [self.spec(entry) for entry in value.entries[:MAX_ENTRIES]]]

    def after(self, pristine, now):
        """Inputs as they are now: null if none changed (same dtype, shape and bytes), else a value
        per input, null where that one is unchanged."""
        np, specs, changed = self.np, [], False
        for before, after in zip(pristine, now):
            same = type(after) is np.ndarray and after.dtype == before.dtype and \
                after.shape == before.shape and after.tobytes() == before.tobytes()
            specs.append(None if same else self.spec(after))
            changed = changed or not same
        return specs if changed else None


# ----------------------------------------------------------------------- the worker

class Worker:
    """Loads the submission, then runs batches of examples and reports them in chunks."""

    def __init__(self, channel, config, np, returns, capture, progress: Progress):
        self.channel, self.config, self.np, self.returns, self.capture = channel, config, np, returns, capture
        self.filename = config["filename"]
        self.progress = progress
        self.module = None
        self.parts = {}   # class name -> a harness class run beside the student's module (capstone.py)
        self.part_sources = {}   # the capstone's files, read before the user drop

    def describe(self, error: BaseException, where: str) -> str:
        if isinstance(error, MemoryError):  # RLIMIT_AS: name the limit, not just MemoryError
            limit = self.config["memory_text"]
            return f"{where} exceeded the memory limit ({limit}){self.returns.student_line(error, self.filename)}"[:500]
        return self.returns.describe_exception(error, where, self.filename)

    def load(self, source: str) -> None:
        with self.capture():
            self.module, error = self.returns.load_module(source, self.filename)
            if self.module is not None and self.config.get("capstone"):
                harness = load_by_path("sandbox_capstone", HERE / "capstone.py")
                harness.setup(self.module, self.part_sources, self.returns.student_line)
                self.parts[harness.Capstone.__name__] = harness.Capstone
        self.channel.send({"type": "loaded", "error": error, "classes": self.classes()})

    def classes(self) -> list:
        return (classes_present(self.module) if self.module else []) + list(self.parts)

    def run(self, header: dict, arrays: list) -> None:
        """Run a batch of examples, reporting them in chunks (see `Chunk`), then say "done"."""
        class_name = header["class"]
        cases, at = [], 0
        for inputs, calls in header["cases"]:
            cases.append((arrays[at:at + inputs], arrays[at + inputs:at + inputs + calls]))
            at += inputs + calls
        with self.capture():
            cls = self.parts.get(class_name) or getattr(self.module, class_name, None)
            chunk = Chunk()
            for index, (inputs, grad_outs) in enumerate(cases):
                chunk.replies.append(self.call(cls, class_name, index, inputs, grad_outs, chunk))
                if chunk.full() or index == len(cases) - 1:
                    self.channel.send({"type": "cases", "cases": chunk.replies}, chunk.arrays)
                    chunk = Chunk()
        self.channel.send({"type": "done", "classes": self.classes(),
                           "threads": threading.active_count()})

    def call(self, cls, class_name: str, index: int, inputs, grad_outs, chunk: Chunk) -> list:
        """The same steps as InProcessRunner._call, then the report of them."""
        to_array, normalize = self.returns.to_array, self.returns.normalize
        self.progress.mark(index, 0)
        given = tuple(x.copy() for x in inputs)
        upstream = tuple(d.copy() for d in grad_outs)
        output, returned, error = None, [], ""
        where = f"{class_name}.forward"
        try:
            instance = cls()
            with self.np.errstate(**self.returns.DEFAULT_ERRSTATE):
                output = to_array(instance.forward(*given))
            where = f"{class_name}.backward"
            self.progress.mark(index, 1)
            for d in upstream:
                returned.append(normalize(instance.backward(d)))
        except BaseException as exception:  # noqa: BLE001 - any failure of student code
            error = self.describe(exception, where)
        reply = Reply(self.np, array_cap([*inputs, *grad_outs]), chunk)
        return [index, error, reply.spec(output), [reply.returned(value) for value in returned],
                reply.after(inputs, given), reply.after(grad_outs, upstream)]


def part_sources(config: dict) -> dict:
    """{filename: text} of the capstone's files in the scratch folder (graph.py, network.py)."""
    sources = {}
    for name in config.get("capstone") or ():
        with open(os.path.join(config["scratch"], os.path.basename(name)), "rb") as file:
            sources[os.path.basename(name)] = file.read().decode("utf-8", "surrogateescape")
    return sources


def readable_folders(np) -> list:
    """What the student's code may read: the Python installation, NumPy, system folders."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
               os.path.dirname(os.path.dirname(np.__file__)), "/usr", "/lib", "/lib32", "/lib64", "/etc"}
    return sorted({os.path.realpath(folder) for folder in folders})


def confine(config: dict, np, policy) -> dict:
    """Everything that must hold before student code runs. Returns the layers that are active."""
    landlock = load_by_path("sandbox_landlock", HERE / "landlock.py")
    scratch = os.path.realpath(config["scratch"])
    private = [os.path.realpath(folder) for folder in config["private"]]
    readable = readable_folders(np)
    layers = {"user": os.getuid()}
    imports = load_by_path("sandbox_imports", HERE / "imports.py")
    imports.forget_blocked(policy.BLOCKED_MODULES)
    finder = imports.UnreadableFinder(imports.top_level_modules())
    if config["uid"] is not None:
        policy.drop_privileges(config["uid"], config["gid"])
        layers["user"] = config["uid"]
        if config["dedicated"]:
            policy.limit_processes(config["processes"])
    if config["landlock"]:
        # Landlock cannot carve a private folder out of a readable one: leave such folders out.
        read_only = [f for f in readable if not any((p + "/").startswith(f + "/") for p in private)]
        try:
            layers["landlock"] = landlock.restrict([scratch], read_only, ["/dev/null", "/dev/zero", "/dev/urandom"])
        except OSError as error:
            layers["landlock"] = f"failed ({error})"
    else:
        layers["landlock"] = "off"
    sys.meta_path.append(finder)
    policy.die_with_parent(config["parent"])
    policy.disarm()
    policy.install_audit_hook(scratch, tuple(private), tuple(readable + ["/dev"]))
    layers["audit_hook"] = True
    return layers


def warm() -> None:
    """Load what every worker needs before its configuration: what the fork server preloads."""
    for name, path in (("sandbox_frames", HERE / "frames.py"), ("sandbox_policy", HERE / "policy.py"),
                       ("sandbox_landlock", HERE / "landlock.py"), ("sandbox_imports", HERE / "imports.py"),
                       ("sandbox_returns", HERE / "calls.py"), ("sandbox_capstone", HERE / "capstone.py")):
        load_by_path(name, path)


def serve(request_fd: int, reply_fd: int, progress_fd: int, parent: int = None) -> int:
    """Be a worker on these two descriptors until the grader closes the request pipe.

    `parent` is the process this one must die with: the grader (read from the configuration) or,
    for a worker forked by the fork server (forkserver.py), the fork server.
    """
    frames = load_by_path("sandbox_frames", HERE / "frames.py")
    channel = frames.Channel(request_fd, reply_fd, REQUEST_ARRAY_CAP)
    progress = Progress(progress_fd)
    message = channel.receive()
    if message is None:   # the grader is gone before configuring this worker (early.py)
        return 0
    config, _ = message
    if parent is not None:
        config["parent"] = parent
    policy = load_by_path("sandbox_policy", HERE / "policy.py")
    policy.set_limits(config["memory_bytes"], config["cpu_seconds"], config["file_bytes"], config["open_files"])
    import numpy as np
    returns = load_by_path("sandbox_returns", HERE / "calls.py")
    # The student's prints: one UTF-8 stream for stdout and stderr, in order, on descriptors 1/2.
    stream = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False), 1 << 16),
                              encoding="utf-8", errors="backslashreplace")
    sys.stdout = sys.stderr = stream
    channel.send({"type": "ready"})

    with open(os.path.join(config["scratch"], config["source"]), "rb") as file:
        source = file.read().decode("utf-8", "surrogateescape")
    imports = load_by_path("sandbox_imports", HERE / "imports.py")
    parts = part_sources(config)   # the capstone's files import what they name too, before the drop
    if parts:
        load_by_path("sandbox_capstone", HERE / "capstone.py")   # our file: read before the audit hook
    for text in (source, *parts.values()):   # each on its own: one file's syntax error spoils no other's
        imports.preload(text, tuple(readable_folders(np)), tuple(os.path.realpath(p) for p in config["private"]),
                        policy.BLOCKED_MODULES, None if config["uid"] is None else (config["uid"], config["gid"]))
    try:
        layers = confine(config, np, policy)
    except Exception as error:  # noqa: BLE001 - report why the sandbox could not be set up
        channel.send({"type": "error", "message": f"{type(error).__name__}: {error}"[:500]})
        return 1
    channel.send({"type": "confined", "layers": layers})

    worker = Worker(channel, config, np, returns, Capture(stream, np), progress)
    worker.part_sources = parts
    worker.load(source)
    while True:
        message = channel.receive()
        if message is None:
            return 0
        header, arrays = message
        if header.get("type") == "run":
            worker.run(header, arrays)


def main(argv) -> int:
    # What a fork server's worker has loaded before its configuration, loaded before it here too:
    # the grader may start this worker early (early.py), so this overlaps its own start.
    warm()
    import numpy  # noqa: F401
    return serve(int(argv[1]), int(argv[2]), int(argv[3]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
