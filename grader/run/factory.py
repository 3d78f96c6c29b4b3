"""`make_runner`: the runner that decides a grade, chosen in one place."""

from ..sandbox.untrusted.calls import Outcome
from .in_process import InProcessRunner
from .protocol import Runner


class Unloadable(Runner):
    """The runner of a submission that cannot run at all (a file that is not UTF-8): every op is
    missing, for that one reason, which the report shows as its load error."""

    def __init__(self, reason: str):
        self.load_error = reason

    @property
    def captured_output(self) -> str:
        return ""  # nothing of it ran

    def missing(self, op) -> str:
        return self.load_error

    def run(self, op, cases) -> list:
        return [Outcome(error=self.load_error) for _ in cases]

    def close(self) -> None:
        pass


def make_runner(submission, in_process: bool = False, private_dirs=(), fork_server: str = "") -> Runner:
    """The runner that decides a grade: the sandbox, unless in-process is asked for explicitly.

    ``private_dirs`` are folders the student's code must not read (e.g. a batch's output);
    ``fork_server`` is a batch's fork server to start sandbox workers from (faster, same walls).
    A submission that cannot be read as source (``submission.error``) gets `Unloadable`: a
    report scoring 0 that says why, from every path that grades.
    """
    if submission.error:
        return Unloadable(submission.error)
    if in_process:
        return InProcessRunner(submission.source, submission.filename)
    from ..sandbox.sandbox_runner import SandboxRunner

    return SandboxRunner(submission.source, submission.filename, private_dirs=tuple(private_dirs),
                         fork_server=fork_server)
