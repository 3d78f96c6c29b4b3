"""Grade many submissions in parallel, in short-lived grading processes.

The parent (the batch) builds the example bank once. Submissions are graded in child
processes, *trusted* grader processes that get their runner from `make_runner` (the sandbox
unless ``--in-process``), grade, and send each report back as JSON over a pipe. On Linux the
children are forked after the bank is built and inherit it; elsewhere they are spawned and
load the bank from the batch's bank file (bankfile.py). Either way no child rebuilds it.

With ``--in-process`` the student's code runs in the grading process, so each submission gets
a process of its own: one that kills, hangs or corrupts it costs that submission alone. With
the sandbox no student code runs there, so a grading process takes up to
`SUBMISSIONS_PER_PROCESS` submissions in turn (a fork per submission cost ~17 ms of CPU,
a tenth of grading it). Either way the parent sees a process die without a report, or outlive
the timeout, and records a zero report for the submission it was grading; the others are
graded by a fresh process. With `plots`, a child also draws the capstone's loss plot of the
report it sends (a PNG, sent as a second frame): matplotlib costs about as much as grading a
submission, and drawn in the children it runs in parallel, not one by one in the parent.
Children never write files; only the parent does, so a killed
batch leaves no orphan that writes later. Children die with the parent (Linux
``PR_SET_PDEATHSIG``), and on SIGTERM they unwind, so the runner's ``close()`` stops its
sandbox worker.
"""

import contextlib
import ctypes
import dataclasses
import json
import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from multiprocessing.connection import wait

from ..core.context import REQUIRED, GradingContext
from ..run.factory import Unloadable, make_runner
from ..sandbox.launchers import ForkServer
from ..core.status import CRASHED, MISSING, TIMEOUT, graded_status
from ..run.submission import SubmissionError, locate, read_submission

GRACE = 5.0   # seconds a terminated child gets to close its runner before SIGKILL
SUBMISSIONS_PER_PROCESS = 32   # in the sandbox; one with --in-process (student code ran there)
TICK = 0.1    # seconds between progress refreshes while waiting
# Fork where it is safe and cheap (the child inherits the bank); elsewhere spawn, and the child
# loads the bank file (macOS's system libraries are not fork-safe).
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass
class Context:
    """What grading needs, built once by the parent."""

    grading: GradingContext  # oracle, rubric, the bank and its file
    fork_server: str = ""    # address of the batch's sandbox fork server, "" = none


def grade_entry(student_id: str, path, context: Context, in_process: bool, shrink: bool) -> dict:
    """The report (JSON form, with its ``status``) of one submission; an unreadable one gets a
    zero report saying why."""
    try:
        locate(path)
    except SubmissionError:
        # Said in the student's terms: the instructor's folder layout stays out of their feedback.
        return zero_report(student_id, f"{Path(path).name} holds no ops.py (looked for ops.py, backprop/ops.py "
                           "and a single .ipynb)", context, MISSING)
    from ..ops.capstone import session

    rubric = context.grading.rubric
    # A graph.py beside ops.py: the capstone too, in the same runner (grader/ops/capstone/session.py).
    graph = session.read_graph(path) if session.graded(rubric, path) else None
    # The batch's output folder holds the bank (expected gradients) and other students' reports.
    private = (os.path.dirname(os.path.abspath(context.grading.bank_path)),)
    try:
        submission = read_submission(path)
        runner = session.start_runner(submission, graph, in_process, private, context.fork_server) if graph else \
            make_runner(submission, in_process=in_process, private_dirs=private, fork_server=context.fork_server)
    except SubmissionError as error:
        runner = Unloadable(str(error))
    try:
        report = context.grading.grade(student_id, runner, shrink=shrink).to_json()
        report["status"] = graded_status(report, runner, rubric.graded_ops)
        if graph:
            from ..render.capstone import to_json, with_part

            with_part(report, to_json(session.grade_part(runner, rubric, graph)))   # and the "total"
    finally:
        runner.close()
    return report


def zero_report(student_id: str, reason: str, context: Context, status: str) -> dict:
    """The report of a submission that got no grade: every check fails with `reason`."""
    report = context.grading.grade(student_id, Unloadable(reason)).to_json()
    report["status"] = status
    return report


# --------------------------------------------------------------------------- the child's side

_INHERITED = None  # the parent's Context; a forked child finds it here
_PARENT_ENDS = []  # the parent's ends of every grading process's pipe; a forked child closes its copies


class Terminated(BaseException):
    """SIGTERM in a child. Not an Exception nor SystemExit, so student code cannot swallow it."""


def _on_sigterm(signum, frame):
    raise Terminated


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the parent died before the line above
        raise Terminated


def _load_context(bank_path: str, rubric) -> Context:
    from ..ops import registry

    return Context(GradingContext.hidden(registry.of_contract(rubric.contract), rubric, bank_path, REQUIRED))


def _plot(report: dict) -> bytes:
    """The capstone's loss plot of a report (render/capstone.py), b"" for a report without a curve."""
    part = report.get("capstone")
    if not part or not part["curve"]:
        return b""
    from ..render.capstone import loss_png

    return loss_png(part)


def _child(conn, parent_pid, bank_path, rubric, in_process, shrink, quota, plots) -> None:
    """Grade the submissions the parent sends, one at a time, until told to stop or `quota` is done."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    for end in _PARENT_ENDS:  # inherited by fork: held here, they would hide the parent's death
        with contextlib.suppress(OSError):
            end.close()
    try:
        _die_with_parent(parent_pid)
        inherited = _INHERITED and _INHERITED.grading.bank_path == bank_path
        context = _INHERITED if inherited else _load_context(bank_path, rubric)
        for _ in range(quota):
            task = json.loads(conn.recv_bytes())
            if "stop" in task:
                break
            plot = b""
            try:
                message = {"report": grade_entry(task["id"], task["path"], context, in_process, shrink)}
            except Exception as error:  # noqa: BLE001 - a grader bug costs this submission, not the batch
                message = {"error": f"{type(error).__name__}: {error}".splitlines()[0][:300]}
            if plots and "report" in message:
                with contextlib.suppress(Exception):   # the parent draws it instead (and shows why it fails)
                    plot = _plot(message["report"])
            conn.send_bytes(json.dumps({**message, "plot": bool(plot)}).encode("utf-8"))
            if plot:
                conn.send_bytes(plot)
    except (Terminated, BrokenPipeError, EOFError):
        pass
    finally:
        conn.close()


# --------------------------------------------------------------------------- the parent's side

@dataclass
class _Job:
    """One grading process, and the submission it is grading ("" while it waits for one)."""

    process: object
    conn: object
    left: int                  # submissions it may still be given
    student_id: str = ""
    started: float = 0.0
    stopped: float = 0.0       # when it was told to stop (timeout), 0 while running

    def give(self, student_id: str, path) -> None:
        self.conn.send_bytes(json.dumps({"id": student_id, "path": str(path)}).encode("utf-8"))
        self.student_id, self.started, self.left = student_id, time.monotonic(), self.left - 1

    def dismiss(self) -> None:
        """No more work: the process exits by itself (quota used up) or when told to."""
        if self.left:
            with contextlib.suppress(OSError):
                self.conn.send_bytes(b'{"stop": true}')
        self.process.join(GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        with contextlib.suppress(ValueError):
            _PARENT_ENDS.remove(self.conn)


def grade_in_processes(entries, context: Context, jobs: int, in_process: bool, shrink: bool,
                       timeout: float, on_tick=lambda running: None, plots: bool = False):
    """Yield (student_id, report dict, problem, plot) for every (student_id, path), as each finishes.

    `problem` is "" for a normal grade, else why the zero report was made instead (a crash, a
    timeout, a grader error). `plot` is the capstone's loss plot (PNG bytes) when `plots` and the
    report has a training curve, else b"". `on_tick(running ids)` is called a few times a second.
    """
    global _INHERITED
    # Sandbox workers are forked from one clean process instead of each starting Python and
    # NumPy. Only where grading processes are forked: they find its address in the context.
    fork_server = ForkServer.start_or_none() if not in_process and START_METHOD == "fork" else None
    context = dataclasses.replace(context, fork_server=fork_server.address if fork_server else "")
    _INHERITED = context
    from ..ops.capstone import session

    if START_METHOD == "fork" and any(session.graded(context.grading.rubric, path) for _sid, path in entries):
        session.prepare(context.grading.rubric)   # once here, inherited by every forked grading process
    mp = multiprocessing.get_context(START_METHOD)
    quota = 1 if in_process else SUBMISSIONS_PER_PROCESS

    def start() -> _Job:
        ours, theirs = mp.Pipe(duplex=True)
        process = mp.Process(target=_child, name="grading", daemon=True,
                             args=(theirs, os.getpid(), context.grading.bank_path, context.grading.rubric, in_process,
                                   shrink, quota, plots))
        _PARENT_ENDS.append(ours)
        process.start()
        theirs.close()  # before the next fork, so only this child holds it: EOF means it died
        return _Job(process, ours, quota)

    pending, running, stopping = list(reversed(entries)), [], []
    try:
        while pending or running:
            for job in running:
                if not job.student_id and pending:
                    job.give(*pending.pop())
            while pending and len(running) < jobs:
                running.append(start())
                running[-1].give(*pending.pop())
            for job in [job for job in running if not job.student_id]:  # nothing left to give it
                running.remove(job)
                job.dismiss()
            on_tick([job.student_id for job in running])
            wait([job.conn for job in running] + [job.process.sentinel for job in running + stopping], TICK)
            for job in list(running):
                finished = _collect(job, context, timeout)
                if not finished:
                    continue
                if job.stopped:  # timed out: it gets GRACE seconds to close its runner
                    running.remove(job)
                    stopping.append(job)
                elif finished[2] or not job.left or not job.process.is_alive():  # after a problem: a fresh one
                    running.remove(job)
                    job.dismiss()
                else:
                    job.student_id = ""
                yield finished
            stopping = _reap(stopping)
    finally:
        for job in running:
            if job.student_id:
                job.process.terminate()
                job.stopped = time.monotonic()
            else:
                job.dismiss()
        _reap([job for job in running if job.student_id] + stopping, block=True)
        _INHERITED = None
        if fork_server is not None:
            fork_server.close()


def _collect(job: _Job, context: Context, timeout: float):
    """(student_id, report, problem, plot) if this job is over, else None."""
    if job.conn.poll():
        try:
            message = json.loads(job.conn.recv_bytes())
        except (EOFError, OSError, ValueError):
            message = None
        if message and "report" in message:
            try:
                plot = job.conn.recv_bytes() if message.get("plot") else b""
            except (EOFError, OSError):   # died between its two frames
                plot = b""
            return job.student_id, message["report"], "", plot
        problem = (f"the grader failed on this submission ({message['error']})" if message and "error" in message
                   else _death(job))
        return job.student_id, zero_report(job.student_id, problem, context, CRASHED), problem, b""
    if not job.process.is_alive():
        problem = _death(job)
        return job.student_id, zero_report(job.student_id, problem, context, CRASHED), problem, b""
    if time.monotonic() - job.started > timeout:
        job.process.terminate()
        job.stopped = time.monotonic()
        problem = f"grading took longer than {timeout:g} s and was stopped"
        return job.student_id, zero_report(job.student_id, problem, context, TIMEOUT), problem, b""
    return None


def _death(job: _Job) -> str:
    job.process.join(GRACE)
    code = job.process.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return f"the grading process died while grading this submission ({how})"


def _reap(jobs: list, block: bool = False) -> list:
    """Join stopped children; SIGKILL those that outlived the grace period. Returns the rest."""
    alive = []
    for job in jobs:
        if block:
            job.process.join(max(0.0, job.stopped + GRACE - time.monotonic()))
        if job.process.is_alive() and time.monotonic() - job.stopped > GRACE:
            job.process.kill()
            job.process.join()
        if job.process.is_alive():
            alive.append(job)
        else:
            job.process.join()
    return alive
