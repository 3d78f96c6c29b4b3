"""Runners execute student code: ``run(op, cases) -> [Outcome]``, nothing more.

A runner knows nothing about expected values, tolerances or points; it reports what the
student's code did. `InProcessRunner` runs it in this process, which is right on the student's
own machine (pytest, ``grader check``) and for debugging; anything that decides a grade for
someone else uses the sandbox runner.
"""

import contextlib
import io
import warnings

import numpy as np

from ..sandbox.untrusted.calls import (DEFAULT_ERRSTATE, OUTPUT_CAP, Foreign, Outcome, describe_exception,
                                       load_module, module_name, normalize, to_array, unload)
from .protocol import Runner
from ..i18n import _


class InProcessRunner(Runner):
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
        return text if len(text) <= OUTPUT_CAP else text[:OUTPUT_CAP] + _("\n[... output truncated]")

    @contextlib.contextmanager
    def _capture(self):
        # np.errstate() and np.printoptions() restore NumPy's error handling and printing
        # afterwards: a student's np.seterr or np.set_printoptions never leaks into the grader's
        # own arithmetic or into how its feedback prints arrays.
        with contextlib.redirect_stdout(self._output), contextlib.redirect_stderr(self._output), \
                warnings.catch_warnings(record=True) as caught, np.errstate(), np.printoptions():
            warnings.simplefilter("always")
            yield
        for warning in caught[:20]:
            self._output.write(f"{warning.category.__name__}: {warning.message}\n")

    def missing(self, op) -> str:
        """Why this op cannot run at all ("" if it can)."""
        if self.module is None:
            return self.load_error
        if not isinstance(getattr(self.module, op.class_name, None), type):
            return (_("{filename} has no class {class_name}")
                    .format(filename=self.filename, class_name=op.class_name))
        return ""

    def run(self, op, cases) -> list:
        if self.missing(op):
            return [Outcome(error=self.missing(op)) for _ in cases]
        cls = getattr(self.module, op.class_name)
        with self._capture():
            return [self._call(cls, op, case) for case in cases]

    def _call(self, cls, op, case) -> Outcome:
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
