"""The sandbox: same grades as in-process on honest code, honest grades on hostile code.

* Parity: the reference, the stubs, the broken sample, a sample of the corpus and the hostile
  files that are safe to run in-process get *identical* reports from `SandboxRunner` and
  `InProcessRunner` (shrinking included for the full submissions).
* Hostile submissions (tests/hostile/, expected outcomes in `EXPECTED`): each is graded in
  the sandbox with short timeouts, in parallel; each must get its expected grade, within a
  bound, leave no process (by session and by user ID) and no file outside its scratch folder.
  The file-system attacks run again without Landlock, so the audit hook is tested alone.
* The audit hook's own rules, called directly; frames and replies fed malformed input.
"""

import concurrent.futures
import ctypes
import dis
import glob
import json
import importlib.util
import io
import os
import pickle
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, STUB_SOURCE, with_snippet
from grader.core.cases import Case
from grader.ops import OPS
from grader.core.grade import grade
from grader.paths import solutions_path
from grader.sandbox.untrusted.calls import OUTPUT_CAP, describe_exception, load_module
from grader.run.in_process import InProcessRunner
from grader.sandbox import launchers, replies, sandbox_runner, users
from grader.sandbox.sandbox_runner import SandboxRunner
from grader.sandbox.untrusted import frames
from grader.sandbox.users import SandboxError

HOSTILE = ROOT / "tests" / "hostile"
UNTRUSTED = ROOT / "grader" / "sandbox" / "untrusted"
CALL_TIMEOUT, OP_TIMEOUT = 1.0, 5.0
LIMITS = dict(call_timeout=CALL_TIMEOUT, op_timeout=OP_TIMEOUT, memory_bytes=1 << 30)
SLACK = 15.0   # seconds of worker starts and judging on a loaded 2-core machine
# Parity is about what the sandbox reports, not about the clock: never let a loaded machine time out.
PATIENT = dict(call_timeout=60.0, op_timeout=120.0)
# Printing 100 MB at import takes over a second on a loaded 2-core machine; what flood_output tests is
# that the output is drained and capped, so it gets the default call timeout, not the short one.
LIMITS_FOR = {"flood_output": dict(LIMITS, call_timeout=5.0)}
MARKERS = ("/tmp", "/var/tmp", "/dev/shm", str(ROOT), str(ROOT.parent), "/")


def load_by_path(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


policy = load_by_path("test_sandbox_policy", UNTRUSTED / "policy.py")
worker = load_by_path("test_sandbox_worker", UNTRUSTED / "worker.py")


@pytest.fixture(scope="module")
def full_bank(bank, rubric):
    """Every graded property's examples built up front, so threads only read the bank."""
    for op in OPS:
        for prop, _ in rubric.graded(op.key):
            bank.examples(prop)
    return bank


def in_process(source, reference, rubric, bank, shrink=False):
    return grade("ops.py", InProcessRunner(source), reference, rubric, bank, shrink=shrink)


@dataclass
class Graded:
    """A sandboxed grade and what it left behind."""

    report: object
    seconds: float
    layers: dict
    workers: int
    processes: list = field(default_factory=list)   # live PIDs of its sessions or its user
    files: list = field(default_factory=list)       # its scratch folders, files of its user


def owned_by(uid: int, folder: str) -> list:
    found = []
    for entry in os.scandir(folder):
        try:
            if entry.stat(follow_symlinks=False).st_uid == uid:
                found.append(entry.path)
        except FileNotFoundError:  # a runner in another thread has just removed its scratch folder
            pass
    return found


def leftovers(runner) -> tuple:
    processes = [pid for sid in runner.worker_pids for pid in users.session_members(sid)]
    files = [folder for folder in runner.scratch_dirs if os.path.lexists(folder)]
    if runner.uid is not None:
        processes += users.processes_of(runner.uid)
        for folder in users.SHARED_TMP:
            files += owned_by(runner.uid, folder)
    return processes, files


def sandboxed(source, reference, rubric, bank, shrink=False, **options) -> Graded:
    started = time.monotonic()
    runner = SandboxRunner(source, "ops.py", **options)
    try:
        report = grade("ops.py", runner, reference, rubric, bank, shrink=shrink)
    finally:
        runner.close()
    graded = Graded(report, time.monotonic() - started, runner.layers, len(runner.worker_pids))
    graded.processes, graded.files = leftovers(runner)
    return graded


def failures(report) -> dict:
    return {f"{key}.{check.name}": check.reason for key, op in report.ops.items() for check in op.checks
            if not check.passed}


def in_parallel(function, items, workers=3) -> dict:
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return dict(zip(items, pool.map(function, items)))


# --------------------------------------------------------------------------- parity

@pytest.mark.parametrize("name, source", [("reference", SOLUTION_SOURCE), ("stubs", STUB_SOURCE),
                                          ("broken", (ROOT / "tests/samples/broken/ops.py").read_text())],
                         ids=["reference", "stubs", "broken"])
def test_a_submission_gets_the_same_report_in_the_sandbox_as_in_process(name, source, reference, rubric, full_bank):
    expected = in_process(source, reference, rubric, full_bank, shrink=True)
    graded = sandboxed(source, reference, rubric, full_bank, shrink=True, **PATIENT)
    assert graded.report.to_json() == expected.to_json()
    assert graded.workers == 1 and not graded.processes and not graded.files


@pytest.mark.slow
def test_corpus_snippets_get_the_same_reports_in_the_sandbox(reference, rubric, full_bank):
    # Every correct snippet: they are the ones that play with global state (np.seterr, caches,
    # in-place tricks), where a worker that differs from the in-process runner costs points.
    snippets = sorted((CORPUS / "wrong").glob("*.py"))[::6] + sorted((CORPUS / "correct").glob("*.py"))
    sources = {path.stem: with_snippet(path) for path in snippets}
    expected = {name: in_process(source, reference, rubric, full_bank).to_json() for name, source in sources.items()}
    graded = in_parallel(lambda name: sandboxed(sources[name], reference, rubric, full_bank, **PATIENT), list(sources))
    for name in sources:
        got = graded[name].report.to_json()
        assert got == expected[name], (name, {k: (expected[name][k], got[k]) for k in got if got[k] != expected[name][k]})


LAZY_IMPORTS = """
import math, statistics
from functools import reduce


class Mul(Mul):
    def backward(self, grad_out):
        import itertools, fractions
        np.random.default_rng(0).normal(); np.fft.fft(np.ones(4)); np.linalg.solve(np.eye(2), np.ones(2))
        np.lib.stride_tricks.sliding_window_view(np.arange(5), 2); np.polynomial.Polynomial([1, 2])
        np.ma.masked_array([1, 2]); np.testing.assert_allclose(1, 1); np.char.upper(["a"]); statistics.mean([1, 2])
        print(repr(np.arange(2.0)), math.sqrt(2))
        return super().backward(grad_out)
"""


def test_modules_a_submission_imports_late_still_load_in_the_sandbox(reference, rubric, full_bank):
    """After the user drop the Python installation may be unreadable (here it is under /root):
    the worker imports, beforehand, the modules the source names."""
    source = SOLUTION_SOURCE + LAZY_IMPORTS
    graded = sandboxed(source, reference, rubric, full_bank, **PATIENT)
    assert graded.report.to_json() == in_process(source, reference, rubric, full_bank).to_json()
    assert graded.report.score == graded.report.max_score


def test_the_worker_describes_errors_like_the_in_process_runner():
    def raises(error):
        try:
            exec(compile("def f():\n    x = 1\n    raise E\nf()\n", "ops.py", "exec"), {"E": error})
        except BaseException as caught:  # noqa: BLE001
            return caught

    for error in (ValueError("shapes (3,) and (4,)\nsecond line"), SystemExit(0), KeyError("k"), RuntimeError()):
        caught = raises(error)
        line = describe_exception(caught, "Mul.backward", "ops.py")
        assert line.startswith(f"Mul.backward raised {type(error).__name__}") and line.endswith("(ops.py, line 3)")
    assert load_module("def broken(:\n", "ops.py")[1] == "ops.py does not compile: invalid syntax (line 1)"

    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert describe_exception(raises(Unprintable()), "Mul.backward", "ops.py").startswith(
        "Mul.backward raised Unprintable (ops.py")


def test_a_correct_submission_costs_well_under_a_second_of_sandbox(reference, rubric, full_bank, capsys):
    in_process(SOLUTION_SOURCE, reference, rubric, full_bank)   # warm both paths once
    started = time.perf_counter()
    in_process(SOLUTION_SOURCE, reference, rubric, full_bank)
    plain = time.perf_counter() - started
    graded = sandboxed(SOLUTION_SOURCE, reference, rubric, full_bank)
    examples = sum(len(full_bank.examples(p)) for op in OPS for p, _ in rubric.graded(op.key))
    with capsys.disabled():
        print(f"\n[sandbox] {examples} examples: in-process {plain:.2f} s, sandboxed {graded.seconds:.2f} s "
              f"(overhead {graded.seconds - plain:.2f} s)")
    assert graded.report.score == graded.report.max_score
    assert graded.seconds - plain < 3.0  # ~0.3 s on the 2-core dev box; generous for loaded CI


# --------------------------------------------------------------------------- hostile submissions

@dataclass(frozen=True)
class Expect:
    load: str = ""        # the load error starts with this; every op scores 0
    fails: tuple = ()     # (op key, substring of its first failure) ; every other op has full marks
    parity: bool = False  # safe to grade in-process too: the reports must be identical
    output: str = ""      # the captured output contains this


EXPECTED = {
    "exit_at_import": Expect(load="importing ops.py raised SystemExit: 3 (ops.py, line", parity=True),
    "os_exit_at_import": Expect(load="the worker exited (status 0) while importing ops.py"),
    "hang_at_import": Expect(load="importing ops.py timed out after 1 s"),
    "sleep_at_import": Expect(load="importing ops.py timed out after 1 s"),
    "sys_exit_in_backward": Expect(fails=("mul", "Mul.backward raised SystemExit: 0 (ops.py, line"), parity=True),
    "os_exit_in_backward": Expect(fails=("mul", "the worker exited (status 7) while running Mul.backward")),
    "hang_in_backward": Expect(fails=("mul", "Mul.backward timed out after 1 s")),
    "sleep_in_backward": Expect(fails=("mul", "Mul.backward timed out after 1 s")),
    "segfault_signal": Expect(fails=("mul", "the worker crashed (signal SIGSEGV) while running Mul.backward")),
    "segfault_ctypes": Expect(fails=("mul", "")),
    "deep_recursion": Expect(fails=("mul", "")),
    "memory_bomb": Expect(fails=("mul", "Mul.backward exceeded the memory limit (1 GiB)")),
    "fork_bomb": Expect(fails=("mul", "Mul.backward raised PermissionError: the sandbox does not allow os.fork")),
    "kill_parent": Expect(output="refused"),
    "print_fake_report": Expect(fails=("mul", "grad_a is wrong"), parity=True, output='{"score": 100'),
    "write_report_files": Expect(fails=("mul", "grad_a is wrong"), output="wrote report.json"),
    "lingering_thread": Expect(),
    "read_solutions": Expect(fails=("mul", "grad_a is wrong")),
    "reference_in_memory": Expect(fails=("mul", "grad_a is wrong")),
    "patch_numpy": Expect(fails=("mul", "grad_a is wrong")),
    "lying_subclass": Expect(fails=("mul", "grad_a is wrong"), parity=True),
    "returns_dict": Expect(fails=("mul", "backward returned a dict"), parity=True),
    "returns_generator": Expect(fails=("mul", "backward returned a generator"), parity=True),
    "returns_complex": Expect(fails=("mul", "grad_a has dtype complex128"), parity=True),
    "returns_nan": Expect(fails=("mul", "grad_a contains nan"), parity=True),
    "returns_object_array": Expect(fails=("mul", "grad_a is a ndarray of dtype object")),
    "returns_huge_array": Expect(fails=("mul", "grad_a is a ndarray of shape (1000, 1000)")),
    "returns_many_arrays": Expect(fails=("mul", "backward returned 64 values; expected 2")),
    "malicious_reduce": Expect(fails=("mul", "grad_a is a _MulPayload"), parity=True),
    "write_outside_scratch": Expect(output="refused"),
    "flood_output": Expect(output="[... output truncated]"),
    "mutate_inputs": Expect(fails=("mul", ""), parity=True),
    "forge_frames": Expect(fails=("mul", "the worker sent an invalid reply while running Mul (")),
    "close_channels": Expect(fails=("mul", "while running Mul.backward")),
    "lie_about_progress": Expect(fails=("mul", "the worker exited (status 9) while running Mul.backward")),
}
# Attacks on the file system and on secrets, graded again with Landlock off: the hook alone.
HOOK_ALONE = ("write_outside_scratch", "write_report_files", "read_solutions", "reference_in_memory",
              "segfault_ctypes", "fork_bomb", "malicious_reduce")
# Crashes and hangs graded again without a user of their own: clean-up by session (as non-root).
SAME_USER = ("hang_in_backward", "os_exit_in_backward", "lingering_thread", "close_channels")
# Every hostile file graded again by a worker forked from a fork server, as a batch grades.
FORKED = [f"{name}@forked" for name in EXPECTED]
VARIANTS = [f"{name}@hook" for name in HOOK_ALONE] + [f"{name}@same-user" for name in SAME_USER] + FORKED


def variant_options(name: str, fork_server) -> dict:
    kind = name.partition("@")[2]
    return {"hook": {"landlock": False}, "same-user": {"user": False},
            "forked": {"fork_server": fork_server.address}}[kind]


def hostile_source(name: str) -> str:
    """The reference with the hostile snippet appended ("name@hook" is the same file)."""
    return with_snippet(HOSTILE / f"{name.split('@')[0]}.py")


def markers() -> list:
    return sorted(path for folder in MARKERS for path in glob.glob(os.path.join(folder, "grader-hostile*")))


@pytest.fixture(scope="module")
def fork_server():
    server = launchers.ForkServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def hostile(reference, rubric, full_bank, fork_server):
    before = markers()
    def limits(name):
        return LIMITS_FOR.get(name.split("@")[0], LIMITS)

    graded = in_parallel(lambda name: sandboxed(hostile_source(name), reference, rubric, full_bank, **limits(name)),
                         list(EXPECTED))
    graded.update(in_parallel(
        lambda name: sandboxed(hostile_source(name), reference, rubric, full_bank, **limits(name),
                               **variant_options(name, fork_server)),
        VARIANTS))
    assert fork_server.process.poll() is None, "a hostile submission stopped the fork server"
    return graded, sorted(set(markers()) - set(before))


def test_every_hostile_file_has_an_expected_outcome_and_says_it():
    files = {path.stem for path in HOSTILE.glob("*.py")}
    assert files == set(EXPECTED)
    for path in HOSTILE.glob("*.py"):
        text = path.read_text()
        assert text.startswith('"""') and "Expected" in text.split('"""')[1], path.name


@pytest.mark.parametrize("name", list(EXPECTED) + VARIANTS)
def test_a_hostile_submission_is_graded_honestly_and_cleaned_up(name, hostile, reference, rubric, full_bank):
    graded = hostile[0][name]
    expect = EXPECTED[name.split("@")[0]]
    report = graded.report
    if expect.load:
        assert report.load_error.startswith(expect.load), report.load_error
        assert report.score == 0
    else:
        assert not report.load_error
        failed = failures(report)
        attacked = expect.fails[0] if expect.fails else None
        assert all(key.split(".")[0] == attacked for key in failed), f"collateral damage: {failed}"
        if attacked:
            first = next((check.reason for check in report.ops[attacked].checks if not check.passed), None)
            assert first is not None, f"{attacked} kept full marks"
            assert expect.fails[1] in first
    if expect.output:
        assert expect.output in report.student_output
    assert len(report.student_output) <= OUTPUT_CAP + len("\n[... output truncated]")
    ops_hit = 1 if expect.fails else 0
    call = LIMITS_FOR.get(name.split("@")[0], LIMITS)["call_timeout"]
    assert graded.seconds < SLACK + call + ops_hit * (OP_TIMEOUT + call)
    assert not graded.processes, "processes left behind"
    assert not graded.files, "files left behind"
    if expect.parity and "@" not in name:
        assert report.to_json() == in_process(hostile_source(name), reference, rubric, full_bank).to_json()


def test_no_hostile_file_wrote_outside_its_scratch_folder(hostile):
    assert hostile[1] == []


def test_a_hang_costs_its_op_at_most_two_timeouts(hostile):
    graded = hostile[0]["hang_in_backward"]
    reasons = [check.reason for check in graded.report.ops["mul"].checks]
    assert reasons[0] == "Mul.backward timed out after 1 s"
    assert all(r.startswith("not run after an earlier example failed: Mul.backward timed out") for r in reasons[1:])
    assert graded.workers == 3  # two for mul (each killed after its timeout), one for the other ops


def _failing_at(example, action: str) -> str:
    """The reference, but Mul.backward does `action` on the one example whose grad_out is `example`'s."""
    marker = example.case.grad_outs[0].tobytes()
    return SOLUTION_SOURCE + f"""

import os as _os

class Mul(Mul):
    def backward(self, grad_out):
        if grad_out.tobytes() == {marker!r}:
            {action}
        return super().backward(grad_out)
"""


@pytest.mark.parametrize("action, reason", [
    ("_os._exit(7)", "the worker exited (status 7) while running Mul.backward"),
    ("while True: pass", "Mul.backward timed out after 1 s"),
], ids=["crash", "hang"])
def test_a_failure_is_pinned_on_its_example_and_finished_examples_are_run_again(
        action, reason, reference, rubric, full_bank):
    # Replies travel in chunks (worker.Chunk): the examples just before the failing one had
    # finished but not been sent when the worker died. They must be run again and pass; only the
    # failing example's property fails, with the stage the progress page pinned it on.
    (first, _), (second, _) = rubric.graded("mul")[:2]
    assert len(full_bank.examples(first)) % worker.FLUSH_EXAMPLES, "the failure must fall inside a chunk"
    source = _failing_at(full_bank.examples(second)[0], action)
    graded = sandboxed(source, reference, rubric, full_bank, **LIMITS)
    assert failures(graded.report) == {f"mul.{second.name}": reason}
    assert graded.workers == 2 and not graded.processes and not graded.files


def test_a_worker_that_lies_about_where_it_failed_gets_a_bounded_number_of_workers(hostile):
    graded = hostile[0]["lie_about_progress"]
    assert graded.report.ops["mul"].score == 0
    assert graded.workers <= 2 * sandbox_runner.MAX_FAILURES + 1  # mul's, then one for the other ops


def test_a_thread_left_running_gets_a_fresh_worker_for_the_next_op(hostile):
    assert hostile[0]["lingering_thread"].workers == 2


# --------------------------------------------------------------------------- the fork server

def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as stat_file:
        return int(stat_file.read().rpartition(b")")[2].split()[1])


def test_a_forked_worker_grades_exactly_like_a_started_one(fork_server, reference, rubric, full_bank):
    broken = (ROOT / "tests/samples/broken/ops.py").read_text()
    for source in (SOLUTION_SOURCE, broken):
        started = sandboxed(source, reference, rubric, full_bank, shrink=True, **PATIENT)
        runner = SandboxRunner(source, "ops.py", fork_server=fork_server.address, **PATIENT)
        try:
            assert parent_of(runner.worker_pids[0]) == fork_server.process.pid  # forked, not started
            report = grade("ops.py", runner, reference, rubric, full_bank, shrink=True)
        finally:
            runner.close()
        assert report.to_json() == started.report.to_json()
        assert leftovers(runner) == ([], [])


@pytest.mark.parametrize("module, rule", [("socket", "it opens network connections"),
                                          ("subprocess", "it starts processes"),
                                          ("grader.core.bank", "it is the grader's own code")])
def test_a_refused_import_names_the_module_and_the_rule_in_every_worker(module, rule, fork_server):
    """The fork server has imported socket and selectors: a forked worker must refuse their import
    exactly as a started one does, and the refusal says which module and why."""
    source = f"import numpy as np\nimport {module}\n"
    errors = []
    for options in ({}, {"fork_server": fork_server.address}):
        runner = SandboxRunner(source, "ops.py", **PATIENT, **options)
        try:
            errors.append(runner.missing(OPS[0]))
        finally:
            runner.close()
    assert errors[0] == errors[1], errors
    assert errors[0].startswith(f"importing ops.py raised PermissionError: the sandbox does not allow importing "
                                f"{module}: {rule}"), errors[0]


def test_the_fork_server_kills_a_worker_whose_grader_is_gone(fork_server, tmp_path):
    # A grading process killed with SIGKILL closes its connection: its worker must not live on.
    pipes = [os.pipe() for _ in range(3)]
    page = os.memfd_create("test-progress")
    os.ftruncate(page, 4096)
    env = {**launchers.BASE_ENV, "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    forked = launchers.Forked(fork_server.address, (pipes[0][0], pipes[1][1], page, pipes[2][1]), str(tmp_path), env)
    for fd in (pipes[0][0], pipes[1][1], page, pipes[2][1]):
        os.close(fd)
    try:
        assert forked.wait(0.2) is None  # waiting for its configuration
        forked.release()
        deadline = time.monotonic() + 5
        while users.session_members(forked.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not users.session_members(forked.pid)
    finally:
        for fd in (pipes[0][1], pipes[1][0], pipes[2][0]):
            os.close(fd)


def test_without_a_fork_server_workers_are_started_as_usual(reference, rubric, full_bank, tmp_path):
    runner = SandboxRunner(SOLUTION_SOURCE, "ops.py", fork_server=str(tmp_path / "no-such-socket"), **PATIENT)
    try:
        assert parent_of(runner.worker_pids[0]) == os.getpid()
        assert grade("ops.py", runner, reference, rubric, full_bank).score == 100
    finally:
        runner.close()


# --------------------------------------------------------------------------- the layers

def landlock_abi() -> int:
    try:
        syscall = ctypes.CDLL(None, use_errno=True).syscall
        syscall.restype = ctypes.c_long
        return syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return -1


def test_the_worker_runs_as_a_user_of_its_own_under_landlock_and_the_hook():
    with SandboxRunner(SOLUTION_SOURCE) as runner:
        layers = runner.layers
        if os.geteuid() == 0:
            assert runner.uid in users.POOL and layers["user"] == runner.uid
        else:
            assert runner.uid is None and layers["user"] == os.getuid()
        assert layers["audit_hook"] is True
        if landlock_abi() >= 1:
            assert layers["landlock"] == f"landlock ABI {landlock_abi()}"


def test_runners_side_by_side_get_different_user_ids():
    with SandboxRunner(SOLUTION_SOURCE) as first, SandboxRunner(SOLUTION_SOURCE) as second:
        if os.geteuid() == 0:
            assert first.uid != second.uid
        else:
            assert first.uid is None and second.uid is None


def test_a_named_user_is_used_as_given(reference, rubric, full_bank):
    if os.geteuid() != 0:
        with pytest.raises(SandboxError, match="needs root"):
            SandboxRunner(SOLUTION_SOURCE, user="nobody")
        return
    with SandboxRunner(SOLUTION_SOURCE, user="nobody") as runner:
        assert runner.layers["user"] == runner.uid == 65534
        assert grade("ops.py", runner, reference, rubric, full_bank, shrink=False).score == 100
    with pytest.raises(SandboxError, match="root"):
        SandboxRunner(SOLUTION_SOURCE, user="root")


def test_the_memory_limit_comes_from_the_platform_variable(monkeypatch):
    monkeypatch.setenv("GRADER_SANDBOX_MEMORY_MB", "512")
    assert sandbox_runner.default_memory() == 512 << 20
    monkeypatch.delenv("GRADER_SANDBOX_MEMORY_MB")
    assert sandbox_runner.default_memory() == 2 << 30


def test_a_closed_runner_refuses_to_run():
    runner = SandboxRunner(SOLUTION_SOURCE)
    runner.close()
    runner.close()
    with pytest.raises(SandboxError):
        runner.run(OPS[0], [])


# --------------------------------------------------------------------------- the audit hook, called directly

@pytest.fixture
def hook(tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "mine.txt").write_text("x")
    private = os.path.realpath(solutions_path().parent)
    readable = ["/usr", os.path.realpath(np.__file__ + "/../..")]
    return policy.make_audit_hook(str(scratch), (private,), tuple(readable), os.getpid()), scratch


def refused(hook, event, *args) -> bool:
    try:
        hook(event, args)
    except PermissionError:
        return True
    return False


def test_the_hook_looks_up_no_global_or_builtin_name(hook):
    audit = hook[0]
    resolve = audit.__defaults__[audit.__code__.co_varnames.index("_resolve") - 2]
    for function in (audit, resolve):
        names = {i.opname for i in dis.get_instructions(function)}
        assert not {n for n in names if "GLOBAL" in n or "NAME" in n or "DEREF" in n}, function.__name__
        assert function.__closure__ is None


def test_the_hook_allows_the_scratch_folder_and_the_installation(hook):
    audit, scratch = hook
    assert not refused(audit, "open", str(scratch / "mine.txt"), "r", os.O_RDONLY)
    assert not refused(audit, "open", str(scratch / "new.txt"), "w", os.O_WRONLY | os.O_CREAT)
    assert not refused(audit, "open", np.__file__, "r", os.O_RDONLY)
    assert not refused(audit, "os.mkdir", str(scratch / "sub"), 0o777, -1)
    assert not refused(audit, "os.kill", os.getpid(), 0)
    assert not refused(audit, "import", "math", None, [], [], [])
    assert not refused(audit, "open", "/proc/self/status", "r", os.O_RDONLY)


def test_the_hook_refuses_writes_reads_and_escapes(hook):
    audit, scratch = hook
    os.symlink(solutions_path(), scratch / "link.py")
    os.symlink("/tmp", scratch / "out")
    writes = os.O_WRONLY | os.O_CREAT
    assert refused(audit, "open", "/tmp/grader-hostile-x", "w", writes)
    assert refused(audit, "open", str(scratch / "../escape.txt"), "w", writes)
    assert refused(audit, "open", str(scratch / "out" / "grader-hostile-y"), "w", writes)
    assert refused(audit, "open", str(solutions_path()), "r", os.O_RDONLY)
    assert refused(audit, "open", str(scratch / "link.py"), "r", os.O_RDONLY)
    assert refused(audit, "open", f"/proc/{os.getppid()}/cmdline", "r", os.O_RDONLY)
    assert refused(audit, "open", "/etc/hostname", "r", os.O_RDONLY)          # outside the allowed folders
    assert refused(audit, "open", str(scratch), None, os.O_RDONLY)             # a folder: dir_fd escapes
    assert refused(audit, "open", Path(scratch / "mine.txt"), "r", os.O_RDONLY)  # only str/bytes paths
    assert refused(audit, "os.listdir", str(solutions_path().parent))
    assert refused(audit, "os.rename", str(scratch / "mine.txt"), "/tmp/grader-hostile-z", -1, -1)
    assert refused(audit, "os.chmod", 3, 0o777, -1)
    assert refused(audit, "os.mkdir", "sub", 0o777, 5)                         # dir_fd
    assert refused(audit, "os.kill", os.getppid(), signal.SIGKILL)
    assert refused(audit, "os.kill", -1, signal.SIGKILL)
    for event in ("os.fork", "os.system", "os.exec", "os.posix_spawn", "subprocess.Popen", "os.killpg",
                  "socket.__new__", "ctypes.dlopen", "gc.get_objects", "sys.settrace", "sys.addaudithook",
                  "os.symlink", "os.chdir", "resource.setrlimit"):
        assert refused(audit, event, None), event
    for module in ("grader.paths", "ctypes", "subprocess", "socket", "multiprocessing.pool"):
        assert refused(audit, "import", module, None, [], [], []), module
    assert refused(audit, "object.__setattr__", audit, "__code__", (lambda: 0).__code__)


def test_the_hook_caps_how_many_files_may_be_written(hook):
    audit, scratch = hook
    for number in range(policy.MAX_WRITES):
        assert not refused(audit, "open", str(scratch / f"f{number}"), "w", os.O_WRONLY | os.O_CREAT)
    assert refused(audit, "open", str(scratch / "one-more"), "w", os.O_WRONLY | os.O_CREAT)
    assert not refused(audit, "open", "/dev/null", "w", os.O_WRONLY)


# --------------------------------------------------------------------------- frames and replies

def test_frames_round_trip_and_arrive_in_pieces():
    arrays = [np.arange(6.0).reshape(2, 3), np.asfortranarray(np.ones((2, 2))), np.float64(2.0) * np.ones(()),
              np.array([1, 2], dtype=np.int64), np.zeros((0, 3)), np.array([1 + 2j])]
    data = frames.encode({"type": "x", "n": [1, None]}, arrays) * 2
    decoder = frames.Decoder(1 << 20)
    messages = [m for i in range(0, len(data), 7) for m in decoder.feed(data[i:i + 7])]
    assert len(messages) == 2 and decoder.pending == 0
    header, back = messages[1]
    assert header == {"type": "x", "n": [1, None]}
    for original, copy in zip(arrays, back):
        assert type(copy) is np.ndarray and copy.dtype == original.dtype and np.array_equal(copy, original)
        assert copy.flags.writeable


@pytest.mark.parametrize("dtype", ["<f8", "<f4", "<f2", ">f8", "<i8", "<i4", "|i1", "|u1", "|b1", "<c16"])
def test_plain_npy_headers_are_made_and_read_exactly_as_numpy_does(dtype):
    for shape in [(), (0,), (1,), (3,), (2, 3), (3, 2), (1, 1, 4), (2, 0, 5), (10**12,)]:
        for fortran in (False, True):
            header = frames._simple_header(np.dtype(dtype), shape, fortran)
            stream = io.BytesIO(header)
            np.lib.format.read_magic(stream)
            numpy_reads = np.lib.format.read_array_header_1_0(stream)
            assert frames._parse_simple(header[10:]) == numpy_reads == (shape, fortran, np.dtype(dtype))
            written = io.BytesIO()
            np.lib.format.write_array_header_1_0(written, {"descr": dtype, "fortran_order": fortran, "shape": shape})
            assert frames._parse_simple(written.getvalue()[10:]) == numpy_reads
    array = np.arange(6).astype(dtype).reshape(2, 3)
    for order in "CF":
        blob = frames.npy_bytes(np.asarray(array, order=order))
        assert np.array_equal(np.load(io.BytesIO(blob), allow_pickle=False), array)
        assert np.array_equal(frames.load_npy(blob, 1 << 16), array)
    assert frames._parse_simple(b"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}\n") is None


def test_frames_refuse_pickles_lies_and_oversize_arrays(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    pickled = io.BytesIO()
    np.save(pickled, np.array([Payload()], dtype=object), allow_pickle=True)
    lying = bytearray(frames.npy_bytes(np.zeros(2)))
    lying[lying.index(b"(2,)"):lying.index(b"(2,)") + 4] = b"(9,)"   # header claims more than sent
    for blob, why in ((pickled.getvalue(), "objects"), (bytes(lying), "length"),
                      (frames.npy_bytes(np.zeros(10**5)), "limit"), (pickle.dumps([1]), "npy")):
        with pytest.raises(frames.FrameError, match=why):
            frames.load_npy(blob, 1 << 16)
    assert not marker.exists()
    with pytest.raises(frames.FrameError):
        frames.Decoder(1 << 16).feed(b"EVIL" + bytes(20))
    with pytest.raises(frames.FrameError):
        frames.Decoder(1 << 16).feed(frames.encode({}, [])[:4] + (2**31).to_bytes(4, "little") + bytes(8))


def _with_table(table: list, arrays) -> bytes:
    """A message whose table of arrays says `table` (a worker that lies about its arrays)."""
    data = frames.encode({"type": "x"}, arrays)
    _, header_length, table_length, count = frames._PREFIX.unpack_from(data)
    listing = json.dumps(table).encode()
    start = frames._PREFIX.size + header_length
    return (frames._PREFIX.pack(frames.MAGIC, header_length, len(listing), count) + data[frames._PREFIX.size:start]
            + listing + data[start + table_length:])


@pytest.mark.parametrize("table, why", [
    ([[1]], "malformed"), ([[0, 0, [7]]], "outside"), ([[0, 5, [2]]], "outside"), ([[0, -1, [1]]], "malformed"),
    ([[0, 0, [-2]]], "malformed"), ([[0, 0, [2.0]]], "malformed"), ([[True]], "malformed"), ([[0, 0]], "malformed"),
    ([[0, 0, [1] * 40]], "malformed"), ({"a": 1}, "not a list"), ([[0]], "limit"),
])
def test_a_table_that_lies_about_its_arrays_is_refused(table, why):
    message = _with_table(table, [np.zeros(3), np.ones(3)])   # one pool of 6 float64
    decoder = frames.Decoder(32)                               # 4 float64 per array at most
    with pytest.raises(frames.FrameError, match=why):
        decoder.feed(message)
    assert [a.tolist() for a in frames.Decoder(32).feed(_with_table([[0, 1, [2]], [0, 5, []]], [np.arange(6.0)]))[0][1]] \
        == [[1.0, 2.0], 5.0]


def test_a_reply_that_does_not_fit_its_example_is_refused():
    case = Case((np.ones(3), np.ones(3)), (np.ones(3),))
    good = [0, "", 0, [["tuple", 2, [1, None]]], None, None]   # worker.Reply's layout
    outcome = replies.outcome(good, [np.ones(3), np.ones(3)], case)
    assert outcome.returns[0].entries[1] is None and outcome.inputs_after[0] is case.inputs[0]
    assert replies.outcome([0, "", "generator", [], [None, None], [None]], [], case).output.type_name == "generator"

    def changed(position, value):
        return good[:position] + [value] + good[position + 1:]

    for bad in (changed(2, 5), changed(2, True), changed(2, 0.0), changed(2, [0]), changed(2, {"a": 0}),
                changed(4, [None]), changed(4, []), changed(4, {}), changed(5, [None, None]),
                changed(3, [good[3][0]] * 2), changed(3, None), changed(1, 3),
                changed(3, [["tuple", 10**9, []]]), changed(3, [["tuple", 2, [0, None]]]),
                changed(3, [["tuple", 2, [1]]]), changed(3, [["tuple", True, [1]]]), changed(3, [["tuple", 2]]),
                changed(3, [{"container": "tuple", "n": 2, "entries": [1, None]}]),
                good[:5], good + [None], {"i": 0}, None):
        with pytest.raises(replies.ReplyError):
            replies.outcome(bad, [np.ones(3), np.ones(3)], case)
    with pytest.raises(replies.ReplyError):
        replies.outcome(good, [np.ones(3), np.ones(10**5)], case)   # over the example's cap
    text = replies.outcome(changed(2, 0), [np.array(["a"]), np.ones(3)], case).output
    assert text.type_name == "ndarray of dtype <U1"
