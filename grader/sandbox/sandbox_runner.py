"""`SandboxRunner`: the runner that decides grades. Student code runs only in a worker process.

Same protocol and same results as `grader.run.in_process.InProcessRunner` (``missing``, ``run``,
``load_error``, ``captured_output``, ``close``), so `grade()` uses either unchanged and, on any
submission that does not attack the grader, both give identical reports (tests/test_sandbox.py
checks this). The difference is where the student's code runs: in a ``python -I`` worker
(worker.py) with rlimits, a user of its own when we are root, Landlock and an audit hook
(policy.py, landlock.py), talking only in size-capped JSON and .npy frames (frames.py).
In a batch, workers are forked from a fork server (forkserver.py) instead of started anew.

One worker serves every op, reused while it behaves. Each op's examples go out in one message
and come back in chunks of replies (worker.Chunk), so a correct submission costs one worker
start plus a few messages per op. Which example is running, forward or backward, the worker
keeps in a page of shared memory (worker.Progress) that the grader reads when a reply is late
or the worker has died. When an example hangs, crashes the worker, exits it or breaks the
protocol, that example fails with a one-line reason ("Cls.backward timed out after 5 s",
"the worker crashed (signal SIGSEGV) while running Cls.backward"), the worker and everything
it started are killed, and a fresh worker runs again the examples whose replies died with it,
then the op's remaining examples. An op gets `op_timeout` seconds of wall time in all
(shrinking included) and at most `MAX_FAILURES` such failures; after that its remaining
examples fail at once, naming the failure that stopped it. So a hang, a segfault,
``os._exit``, a recursion or memory bomb costs that op only, and a whole grade takes at most
about ``call_timeout + ops * (op_timeout + call_timeout)`` plus worker starts.
"""

import atexit
import contextlib
import os
import tempfile
import time
import weakref

from ..paths import solutions_path
from .untrusted.calls import OUTPUT_CAP, Outcome
from . import early, replies
from .requests import run_request
from . import users
from .process import Broken, Closed, Sink, Timeout, WorkerProcess
from .users import SandboxError
from ..i18n import _

MIB, GIB = 1 << 20, 1 << 30
STARTUP_TIMEOUT = 30.0        # seconds for Python + NumPy to start and the sandbox to close around it
POLL = 0.05                   # seconds between looks at the progress page while a reply is due
MAX_FAILURES = 2              # timeouts/crashes per op before its remaining examples are not run
FILE_BYTES = 16 * MIB         # RLIMIT_FSIZE: the largest file the student may write (in scratch)
OPEN_FILES = 64               # RLIMIT_NOFILE
PROCESSES = 32                # RLIMIT_NPROC (tasks, i.e. threads), only with a user ID of our own
OUTPUT_BYTES = 4 * OUTPUT_CAP + 16   # enough bytes for OUTPUT_CAP characters of any UTF-8 text


def default_memory() -> int:
    """2 GiB, or ``GRADER_SANDBOX_MEMORY_MB`` MiB (the platform images set it)."""
    value = os.environ.get("GRADER_SANDBOX_MEMORY_MB", "")
    return int(value) * MIB if value.strip().isdigit() and int(value) > 0 else 2 * GIB


def _size_text(size: int) -> str:
    return f"{size / GIB:g} GiB" if size >= GIB else f"{size / MIB:g} MiB"


class _LoadFailed(Exception):
    """A replacement worker could not load the submission; the message says why."""


class _Budget:
    """One op's share: wall seconds used, failures so far, and why it was stopped ("" if not)."""

    def __init__(self):
        self.spent, self.failures, self.stopped = 0.0, 0, ""
        self.final = False   # no worker can run it any more (the submission no longer loads)


_OPEN = weakref.WeakSet()


@atexit.register
def _close_all():
    for runner in list(_OPEN):
        runner.close()


class SandboxRunner:
    """Runs a submission in a sandboxed worker process. Use one runner from one thread.

    * `memory_bytes`: RLIMIT_AS of the worker (default `default_memory()`, 2 GiB).
    * `cpu_seconds`: RLIMIT_CPU of each worker process, a backstop for the wall-clock limits.
    * `call_timeout`: wall seconds for one example (forward and its backward calls), and for
      importing the submission.
    * `op_timeout`: wall seconds for all of one op's examples together, shrinking included.
    * `user`: None = ``GRADER_WORKER_USER`` if set, else (as root) a user ID of the runner's own;
      a name or ID = that user (killing its processes kills all of them: one grade at a time);
      False = never change user (debugging, tests of the other layers).
    * `private_dirs`: folders the student's code must not read, besides the solutions folder
      (the results or output folder of a batch). Reads outside the Python installation, the
      system folders and the scratch folder are refused anyway.
    * `landlock`: also confine the worker with Landlock where the kernel has it.
    * `fork_server`: the address of a batch's `launchers.ForkServer` to fork workers from
      ("" = start each worker with ``exec``). Either way the worker is confined the same.
    * `extra_files`: {filename: text} written read-only into every worker's scratch folder beside
      the source, and `extra_config`: entries added to the worker's configuration. The capstone
      uses them for its graph.py and network.py (grader/ops/capstone/runner.py, worker.py).

    A worker is killed when the *thread* that started it exits (PR_SET_PDEATHSIG, so no worker
    outlives a killed grader), so create, use and close a runner in the same thread.
    """

    def __init__(self, source: str, filename: str = "ops.py", *, memory_bytes: int = None,
                 cpu_seconds: float = 120.0, call_timeout: float = 5.0, op_timeout: float = 10.0,
                 user=None, private_dirs=(), landlock: bool = True, fork_server: str = "",
                 extra_files=None, extra_config=None):
        if min(cpu_seconds, call_timeout, op_timeout) <= 0:
            raise ValueError("cpu_seconds, call_timeout and op_timeout must be positive")
        self.filename = filename
        self.memory_bytes = memory_bytes or default_memory()
        self.cpu_seconds, self.call_timeout, self.op_timeout = cpu_seconds, call_timeout, op_timeout
        self.load_error = ""
        self.layers = {}
        self.worker_pids, self.scratch_dirs = [], []   # every worker this runner started (for audits)
        self._source = source
        self._private = sorted({os.path.realpath(solutions_path().parent),
                                *(os.path.realpath(folder) for folder in private_dirs)})
        self._landlock = landlock
        self._fork_server = fork_server
        self._extra_files, self._extra_config = dict(extra_files or {}), dict(extra_config or {})
        self._sink = Sink(OUTPUT_BYTES)
        self._budgets = {}
        self._classes = []
        self._worker = None
        self._closed = False
        self.account = None
        _OPEN.add(self)
        try:
            self.account = users.account_for(user)
            worker, self.load_error, self._classes = self._spawn(replacement=False)
            if self.load_error:
                worker.kill()
            else:
                self._worker = worker
        except _LoadFailed as failure:
            self.load_error = str(failure)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ the runner protocol

    @property
    def uid(self):
        """The user ID student code runs as, or None when it keeps ours."""
        return self.account.uid if self.account else None

    @property
    def captured_output(self) -> str:
        text = bytes(self._sink.data).decode("utf-8", "replace")
        if len(text) <= OUTPUT_CAP and not self._sink.dropped:
            return text
        return text[:OUTPUT_CAP] + _("\n[... output truncated]")

    def missing(self, op) -> str:
        """Why this op cannot run at all ("" if it can)."""
        if self.load_error:
            return self.load_error
        if op.class_name not in self._classes:
            return (_("{filename} has no class {class_name}")
                    .format(filename=self.filename, class_name=op.class_name))
        return ""

    def run(self, op, cases) -> list:
        return self.run_judged(op, cases)

    def run_judged(self, op, cases, judged=None) -> list:
        """`run`, calling `judged(outcomes so far)` after each chunk of replies (core/grade.py), so
        the grader judges while the worker runs on; the judging's time is not the op's."""
        if self._closed:
            raise SandboxError("this sandbox runner is closed")
        blocked = self.missing(op)
        if blocked:
            return [Outcome(error=blocked) for _ in cases]
        budget = self._budgets.setdefault(op.key, _Budget())
        outcomes = []
        failed = {}   # index -> why: a worker failed there; the examples before it run (again) first
        while len(outcomes) < len(cases):
            at = len(outcomes)
            if at in failed:
                outcomes.append(Outcome(error=failed.pop(at)))
                continue
            # A stopped op still runs again the examples whose replies died with a worker, unless
            # its time is up, no worker can load, or workers keep failing on them (a worker that
            # lies about where it failed): they came before the failure, not after it.
            if budget.stopped and (not failed or budget.final or budget.spent >= self.op_timeout
                                   or budget.failures >= 2 * MAX_FAILURES):
                outcomes += [Outcome(error=failed.pop(i, budget.stopped)) for i in range(at, len(cases))]
                break
            started, self._judging = time.monotonic(), 0.0
            try:
                failure, index = self._run_some(op, cases[:min(failed, default=len(cases))], outcomes,
                                                started + max(0.0, self.op_timeout - budget.spent), judged)
            except _LoadFailed as load_failure:
                budget.stopped, budget.final = str(load_failure), True
                continue
            finally:
                budget.spent += time.monotonic() - started - self._judging
            if failure:
                failed[index] = failure
                budget.failures += 1
                if budget.failures >= MAX_FAILURES or budget.spent >= self.op_timeout:
                    budget.stopped = _("not run after an earlier example failed: {failure}").format(failure=failure)
        return outcomes

    def close(self) -> None:
        """Kill the worker and all it started; delete the scratch folders; free the user ID."""
        if self._closed:
            return
        self._closed = True
        _OPEN.discard(self)
        self._retire()
        for folder in self.scratch_dirs:
            if os.path.lexists(folder):
                users.remove_tree(folder)
        if self.account is not None:
            if self.account.dedicated:
                users.kill_user(self.account.uid)
                users.sweep_files(self.account.uid)
            self.account.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __del__(self):
        if not getattr(self, "_closed", True):
            with contextlib.suppress(Exception):  # at interpreter exit, modules may be gone
                self.close()

    # ------------------------------------------------------------------ workers

    def _config(self, scratch: str, source_name: str) -> dict:
        account = self.account
        return {
            "type": "config", "scratch": scratch, "source": source_name, "filename": self.filename,
            "private": self._private,
            "memory_bytes": self.memory_bytes, "memory_text": _size_text(self.memory_bytes),
            "cpu_seconds": self.cpu_seconds, "file_bytes": FILE_BYTES, "open_files": OPEN_FILES,
            "uid": account.uid if account else None, "gid": account.gid if account else None,
            "dedicated": bool(account and account.dedicated), "processes": PROCESSES,
            "parent": os.getpid(), "landlock": self._landlock, **self._extra_config,
        }

    def _scratch(self) -> tuple:
        """A fresh scratch folder holding the source; made the worker's before it is configured
        (a worker started early, early.py, waits in its folder for that)."""
        scratch = early.folder(self._fork_server) or tempfile.mkdtemp(prefix="grader-sandbox-")
        self.scratch_dirs.append(scratch)
        name = os.path.basename(self.filename)
        name = name if name.endswith(".py") and name.replace("_", "a").replace(".", "a").isalnum() else "ops.py"
        for filename, text in {**self._extra_files, name: self._source}.items():
            path = os.path.join(scratch, filename)
            with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as file:
                file.write(text)
            os.chmod(path, 0o444)
        if self.account is not None:
            os.chown(scratch, self.account.uid, self.account.gid)
        return scratch, name

    def _spawn(self, replacement: bool):
        """A started, loaded worker: (worker, load error, classes). Raises _LoadFailed or SandboxError."""
        scratch, name = self._scratch()
        config = self._config(scratch, name)
        worker = WorkerProcess(config, self.account, self._sink, 1 << 16, self._fork_server)
        self.worker_pids.append(worker.pid)
        self._sink.mark()
        worker.send(config)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        try:
            for expected in ("ready", "confined"):
                header, _payload = worker.receive(deadline)
                if header.get("type") == "error":
                    raise Broken(str(header.get("message", ""))[:300])
                if header.get("type") != expected:
                    raise Broken(f"expected {expected!r}")
        except (Timeout, Closed, Broken) as error:
            worker.kill()
            said = self._sink.since_mark().strip().splitlines()
            self._sink.rollback()
            detail = str(error) or type(error).__name__.lower()
            raise SandboxError(_("the sandbox worker did not start ({detail})").format(detail=detail)
                               + (f": {said[-1][:300]}" if said else "")) from None
        self.layers = header.get("layers", {})
        activity = _("importing {filename}").format(filename=self.filename)
        try:
            header, _payload = worker.receive(time.monotonic() + self.call_timeout)
            if header.get("type") != "loaded":
                raise Broken("expected 'loaded'")
            error, classes = header.get("error"), header.get("classes")
            if not isinstance(error, str) or not isinstance(classes, list):
                raise Broken("a malformed 'loaded' message")
        except Timeout:
            failure = (_("{activity} timed out after {call_timeout:g} s")
                       .format(activity=activity, call_timeout=self.call_timeout))
        except Closed:
            failure = worker.death(activity, self.cpu_seconds)
        except Broken as broken:
            failure = f"the worker sent an invalid reply while {activity} ({broken})"
        else:
            worker.drain_output()
            if replacement:
                self._sink.rollback()  # the student saw this import's output the first time
            return worker, error.splitlines()[0][:500] if error else "", [c for c in classes if isinstance(c, str)]
        worker.kill()
        if replacement:
            self._sink.rollback()
        raise _LoadFailed(failure)

    def _ready_worker(self, op) -> WorkerProcess:
        worker = self._worker
        # A thread the student left running in another op's worker could still be writing: start over.
        if worker is not None and worker.threads > 1 and worker.last_op not in (None, op.key):
            self._retire()
        if self._worker is None:
            worker, error, classes = self._spawn(replacement=True)
            if error:
                worker.kill()
                raise _LoadFailed(error)
            self._worker, self._classes = worker, classes
        return self._worker

    def _retire(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None

    def _run_some(self, op, cases, outcomes: list, deadline: float, judged=None) -> tuple:
        """Run cases[len(outcomes):], appending outcomes as replies come. ("", None) when all came back.

        Else (why, index): the example at `index` failed (a timeout, a crash, a bad reply). The
        examples between the last outcome and `index` finished, but their replies died with the
        worker (they were not sent yet, see worker.Chunk); the caller runs them again.
        """
        worker = self._ready_worker(op)
        first = len(outcomes)
        batch = cases[first:]
        request, caps, allowance = run_request(op, batch)
        worker.set_reply_caps(max(caps), allowance)
        worker.clear_position()
        worker.send_encoded(request)
        worker.last_op = op.key
        done, received = 0, 0
        # The example running now, as the progress page says, and when we first saw it there:
        # an example gets call_timeout seconds from then.
        seen, seen_at = 0, time.monotonic()

        def where(position: int) -> tuple:
            """(index in batch, "Op.forward" or "Op.backward") of the failing example."""
            index = (position >> 1) - 1
            if not done <= index < len(batch):  # nothing started yet, or the worker wrote nonsense
                return done, f"{op.class_name}.forward"
            return index, f"{op.class_name}.{'backward' if position & 1 else 'forward'}"

        while True:
            try:
                try:
                    header, arrays = worker.receive(min(deadline, seen_at + self.call_timeout,
                                                        time.monotonic() + POLL))
                except Timeout:
                    now, position = time.monotonic(), worker.position()
                    if position != seen:
                        seen, seen_at = position, now
                    if now < min(deadline, seen_at + self.call_timeout):
                        continue
                    raise
                kind = header.get("type")
                if kind == "cases" and isinstance(header.get("cases"), list) and \
                        0 < len(header["cases"]) <= len(batch) - done:
                    received += sum(a.nbytes for a in arrays)
                    if received > allowance:
                        raise Broken(f"replies over {allowance / MIB:.0f} MiB")
                    for reply in header["cases"]:
                        if type(reply) is not list or not reply or type(reply[0]) is not int or reply[0] != done:
                            raise Broken("replies out of order")
                        outcomes.append(replies.outcome(reply, arrays, batch[done], caps[done]))
                        done += 1
                    if judged is not None:   # while the worker runs on; the pause is not charged
                        paused = time.monotonic()
                        judged(outcomes)
                        pause = time.monotonic() - paused
                        deadline, seen_at, self._judging = deadline + pause, seen_at + pause, self._judging + pause
                    position = worker.position()
                    if position != seen:
                        seen, seen_at = position, time.monotonic()
                elif kind == "done" and done == len(batch):
                    classes, threads = header.get("classes"), header.get("threads")
                    if not isinstance(classes, list) or type(threads) is not int:
                        raise Broken("a malformed 'done' message")
                    self._classes, worker.threads = [c for c in classes if isinstance(c, str)], threads
                    worker.drain_output()
                    return "", None
                else:
                    raise Broken(f"an unexpected {str(kind)[:20]!r} message")
            except Timeout:
                index, stage = where(worker.position())
                self._retire()
                if seen_at + self.call_timeout <= deadline:
                    return (_("{stage} timed out after {call_timeout:g} s")
                            .format(stage=stage, call_timeout=self.call_timeout)), first + index
                return (_("{stage} timed out ({class_name} used up its {op_timeout:g} s for all examples)")
                        .format(stage=stage, class_name=op.class_name, op_timeout=self.op_timeout)), \
                    first + index
            except Closed:
                index, stage = where(worker.position())
                failure = worker.death(_("running {stage}").format(stage=stage), self.cpu_seconds)
                self._retire()
                return failure, first + index
            except (Broken, replies.ReplyError) as error:
                # Charged to the first example without a reply: the worker has run on since.
                self._retire()
                return f"the worker sent an invalid reply while running {op.class_name} ({error})", first + done
