"""Runners execute student code: ``run(op, cases) -> [Outcome]``, nothing more.

A runner knows nothing about expected values, tolerances or points; it reports what the
student's code did. `InProcessRunner` runs it in this process, which is right on the student's
own machine (pytest, ``grader check``) and for debugging; anything that decides a grade for
someone else uses the sandbox runner.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass, field

import numpy as np

from .contract import OpSpec
from .returns import (DEFAULT_ERRSTATE, Foreign, describe_exception, load_module, module_name, normalize,
                      to_array, unload)

OUTPUT_CAP = 20_000  # characters of student stdout/stderr kept for feedback


@dataclass
class Outcome:
    """What one example did: forward's output, each backward call's value, or an error."""

    output: object = None                       # ndarray or Foreign
    returns: list = field(default_factory=list)  # one Returned per backward call made
    inputs_after: tuple = ()                    # the inputs as they were after the calls
    grad_outs_after: tuple = ()
    error: str = ""                             # one line: "Mul.backward raised ValueError: ..."


class InProcessRunner:
    """Runs the student's code in this process. Student's own machine and debugging only."""

    def __init__(self, source: str, filename: str = "ops.py"):
        self.filename = filename
        self._output = io.StringIO()
        self._name = module_name(source, filename)
        with self._capture():
            self.module, self.load_error = load_module(source, filename)

    @property
    def captured_output(self) -> str:
        text = self._output.getvalue()
        return text if len(text) <= OUTPUT_CAP else text[:OUTPUT_CAP] + "\n[... output truncated]"

    @contextlib.contextmanager
    def _capture(self):
        # np.errstate() restores NumPy's error handling afterwards: a student's np.seterr never
        # leaks into the grader's own arithmetic.
        with contextlib.redirect_stdout(self._output), contextlib.redirect_stderr(self._output), \
                warnings.catch_warnings(record=True) as caught, np.errstate():
            warnings.simplefilter("always")
            yield
        for warning in caught[:20]:
            self._output.write(f"{warning.category.__name__}: {warning.message}\n")

    def missing(self, op: OpSpec) -> str:
        """Why this op cannot run at all ("" if it can)."""
        if self.module is None:
            return self.load_error
        if not isinstance(getattr(self.module, op.class_name, None), type):
            return f"{self.filename} has no class {op.class_name}"
        return ""

    def run(self, op: OpSpec, cases) -> list:
        if self.missing(op):
            return [Outcome(error=self.missing(op)) for _ in cases]
        cls = getattr(self.module, op.class_name)
        with self._capture():
            return [self._call(cls, op, case) for case in cases]

    def _call(self, cls, op: OpSpec, case) -> Outcome:
        inputs = tuple(x.copy() for x in case.inputs)
        grad_outs = tuple(d.copy() for d in case.grad_outs)
        outcome = Outcome(inputs_after=inputs, grad_outs_after=grad_outs)
        where = f"{op.class_name}.forward"
        try:
            instance = cls()
            with np.errstate(**DEFAULT_ERRSTATE):
                outcome.output = to_array(instance.forward(*inputs))
            where = f"{op.class_name}.backward"
            for d in grad_outs:
                outcome.returns.append(normalize(instance.backward(d)))
        except (Exception, SystemExit) as error:  # noqa: BLE001 - any failure of student code
            outcome.error = describe_exception(error, where, self.filename)
        return outcome

    def close(self):
        """Take the student's module out of ``sys.modules`` (it stays usable by whoever holds it)."""
        if self.module is not None:
            unload(self._name, self.module)


class Unloadable:
    """The runner of a submission that cannot run at all (a file that is not UTF-8): every op is
    missing, for that one reason, which the report shows as its load error."""

    def __init__(self, reason: str):
        self.load_error, self.captured_output = reason, ""

    def missing(self, op) -> str:
        return self.load_error

    def run(self, op, cases) -> list:
        return [Outcome(error=self.load_error) for _ in cases]

    def close(self):
        pass


__all__ = ["Foreign", "InProcessRunner", "Outcome", "Unloadable", "describe_exception", "load_module"]


def make_runner(submission, in_process: bool = False, private_dirs=(), fork_server: str = ""):
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
    from .sandbox import SandboxRunner

    return SandboxRunner(submission.source, submission.filename, private_dirs=tuple(private_dirs),
                         fork_server=fork_server)
