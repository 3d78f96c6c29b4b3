"""The sandbox: student code runs in a confined worker process, never in the grader's.

`SandboxRunner` (runner.py) is the grader's side; worker.py is the only code that runs in the
worker before the student's, with policy.py and landlock.py confining it and frames.py the only
format the two sides exchange. README-level overview: grader/sandbox/runner.py's docstring.
"""

from .runner import SandboxRunner
from .users import SandboxError

__all__ = ["SandboxError", "SandboxRunner"]
