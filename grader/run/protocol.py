"""The runner protocol: the one interface between the grade and whatever runs student code.

`grade()` and everything above it see only this. Three classes implement it:
`InProcessRunner` (in_process.py: the student's own machine) and `Unloadable` (factory.py: a
file that cannot be read as source) declare it as their base; `SandboxRunner` (grader/sandbox/:
everything that decides a grade for someone else) sits in a lower tier, which may not import
this one, so it conforms structurally (tests/test_runner_protocol.py checks all three, member
by member). A runner knows nothing about expected
values, tolerances or points; it reports what the student's code did, as plain data
(`Outcome`, defined beside the code that calls the student's: grader/sandbox/untrusted/calls.py).
"""

from typing import Protocol, runtime_checkable


@runtime_checkable
class Runner(Protocol):
    load_error: str        # why nothing of the submission can run ("" when it loaded)

    @property
    def captured_output(self) -> str:
        """What the student's code printed or warned, capped, as text (shown escaped)."""

    def missing(self, op) -> str:
        """Why this op cannot run at all: a load error or a missing class ("" if it can)."""

    def run(self, op, cases) -> list:
        """One `Outcome` per case, in order: forward, then backward once per upstream."""

    def close(self) -> None:
        """Release the worker or the module; the runner is not used again."""
