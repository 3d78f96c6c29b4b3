"""Run the capstone's requests on the student's code: in the ops' own runner, one worker for both.

`make_runner` starts the runner that grades the seven ops, told also to load the capstone's
harness (grader/sandbox/untrusted/capstone.py) beside the student's ``ops.py``, with the
student's ``graph.py`` and the given ``network.py``. The harness is called like an op
(`CAPSTONE`), so the capstone inherits every wall of the sandbox unchanged (separate process,
user drop, Landlock, audit hook, caps, plain arrays in frames), costs no second worker start,
and both runners see the same thing. Whatever comes back is only a claim the grader judges
(judge.py).
"""

import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ...core.contract import OpSpec
from ...core.worker_text import localized
from ...paths import REPO, load_trusted
from ...run.in_process import InProcessRunner
from ...sandbox.untrusted import calls

CAPSTONE = OpSpec("capstone", "Capstone", ("program",))
GRAPH_FILE, NETWORK_FILE = "graph.py", "network.py"
HARNESS = Path(calls.__file__).with_name("capstone.py")   # loaded by path, as the worker loads it
_PREFIX = re.compile(r"^Capstone\.(forward|backward) raised CapstoneError: ")


def network_path() -> Path:
    """The given network (the student's copy is never used: it is given code)."""
    packaged = Path(__file__).with_name("given_network.py")  # written by a release, if any
    return packaged if packaged.exists() else REPO / "assignments" / "backprop" / NETWORK_FILE


def part_sources(graph_source: str) -> dict:
    """{filename: text} the harness loads: the student's graph.py, the given network.py."""
    return {GRAPH_FILE: graph_source, NETWORK_FILE: network_path().read_text(encoding="utf-8")}


@dataclass(frozen=True)
class Call:
    """One request in the runners' case shape: inputs and one upstream (unused by the harness)."""

    inputs: tuple
    grad_outs: tuple = (np.ones(()),)


@dataclass
class Reply:
    """What one request returned: the entries (ndarray | None | Foreign), or an error line."""

    entries: tuple = ()
    error: str = ""


def to_reply(outcome) -> Reply:
    if outcome.error:
        return Reply(error=localized(_PREFIX.sub("", outcome.error), capstone=True))
    if not outcome.returns or outcome.returns[0].container != "tuple":
        return Reply(error="the capstone harness returned nothing")
    return Reply(tuple(outcome.returns[0].entries))


def run_requests(runner, requests) -> list:
    """[Reply] for each (program, arrays) request, in one runner call (one round trip)."""
    blocked = runner.missing(CAPSTONE)
    if blocked:
        return [Reply(error=blocked) for _ in requests]
    calls_ = [Call((program, *arrays)) for program, arrays in requests]
    return [to_reply(outcome) for outcome in runner.run(CAPSTONE, calls_)]


class InProcessCapstone(InProcessRunner):
    """The in-process runner (the student's own machine), with the harness loaded beside the module.
    `graph_module`, if given, is the graph code itself, already loaded (a notebook's kernel: its
    namespace), in place of `graph_source`."""

    def __init__(self, source: str, filename: str, graph_source: str, graph_module=None):
        super().__init__(source, filename)
        self.harness = load_trusted(HARNESS, "capstone_harness")
        with self._capture():
            self.harness.setup(self.module, part_sources(graph_source), calls.student_line)
        if graph_module is not None:
            self.harness.bind(GRAPH_FILE, graph_module)

    def missing(self, op) -> str:
        return self.load_error if op is CAPSTONE else super().missing(op)

    def run(self, op, cases) -> list:
        if op is not CAPSTONE or self.load_error:
            return super().run(op, cases)
        with self._capture():
            return [self._call(self.harness.Capstone, op, case) for case in cases]


def _sandbox(source, filename, graph_source, private_dirs, fork_server):
    from ...sandbox.sandbox_runner import SandboxRunner

    # The worker also loads the capstone's harness when its config names the files (worker.py).
    # The ops' own time limits: training is one call, well under a second of CPU.
    return SandboxRunner(source, filename, private_dirs=tuple(private_dirs), fork_server=fork_server,
                         extra_files=part_sources(graph_source), extra_config={"capstone": [GRAPH_FILE, NETWORK_FILE]})


def make_runner(submission, graph_source: str, in_process: bool = False, private_dirs=(), fork_server: str = ""):
    """The runner for the ops and the capstone of one submission (run.factory.make_runner's twin).

    Its ``graph_alone()`` starts a runner of the same kind for the graph code alone, beside an
    empty ops.py: what the graph properties are graded in when the submission's ops.py does not
    load (they run on the grader's own ops, so a broken ops.py must not cost them)."""
    from ...run.factory import Unloadable

    if submission.error:
        runner = Unloadable(submission.error)
    elif in_process:
        runner = InProcessCapstone(submission.source, submission.filename, graph_source)
    else:
        runner = _sandbox(submission.source, submission.filename, graph_source, private_dirs, fork_server)
    alone = replace(submission, source="", error="")
    runner.graph_alone = lambda: make_runner(alone, graph_source, in_process, private_dirs, fork_server)
    return runner
