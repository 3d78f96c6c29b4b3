"""A worker's reply about one example, checked field by field and turned into an `Outcome`.

The reply is the student's side talking, so nothing in it is taken on trust: every field must
have the expected JSON type and size (the layout is worker.Reply's), every array must be one the
reply actually carried, within the example's size cap, and plain data (frames.py already refused
object dtypes and pickles). The result is the same `Outcome` that `InProcessRunner` builds, so the judge cannot
tell the two runners apart on an honest submission. One hardening on top: a forward output
that is not numeric becomes a `Foreign` name, because the judge does arithmetic on it.
"""

import numpy as np

from .untrusted.calls import Foreign, Outcome, Returned

MIN_ARRAY_CAP = 1 << 16   # as worker.array_cap
MAX_NAME = 200
MAX_ERROR = 500
MAX_ENTRIES = 64          # entries sent per returned value (worker.MAX_ENTRIES)
MAX_COUNT = 1_000_000     # entries a returned value may claim to have


class ReplyError(ValueError):
    """The reply is malformed; the text says how (for the failure message)."""


def array_cap(case) -> int:
    """The same cap the worker applies: four times the example's largest array, at least 64 KiB."""
    return max([MIN_ARRAY_CAP] + [4 * np.asarray(a).nbytes for a in (*case.inputs, *case.grad_outs)])


def _text(value, limit: int) -> str:
    if not isinstance(value, str):
        raise ReplyError("a text field is not text")
    return value.splitlines()[0][:limit] if value else ""


class _Reader:
    def __init__(self, arrays: list, cap: int):
        self.arrays, self.cap, self.used = arrays, cap, set()

    def entry(self, spec):
        """ndarray | None | Foreign from an array's index | null | a type's name (worker.Reply)."""
        if spec is None:
            return None
        if type(spec) is str:
            return Foreign(_text(spec, MAX_NAME))
        if type(spec) is not int or not 0 <= spec < len(self.arrays) or spec in self.used:
            raise ReplyError("a value that points at no array")
        self.used.add(spec)
        array = self.arrays[spec]
        if type(array) is not np.ndarray or array.dtype.hasobject or array.nbytes > self.cap:
            raise ReplyError("an array over the size limit")
        return array

    def returned(self, spec) -> Returned:
        if type(spec) is not list or len(spec) != 3:
            raise ReplyError("a malformed backward value")
        container, count, entries = _text(spec[0], MAX_NAME), spec[1], spec[2]
        if type(count) is not int or not 0 <= count <= MAX_COUNT or type(entries) is not list \
                or len(entries) != min(count, MAX_ENTRIES):
            raise ReplyError("a malformed backward value")
        values = [self.entry(e) for e in entries]
        if count > len(values):
            values += [None] * (count - len(values))
        return Returned(container, tuple(values))

    def after(self, specs, originals) -> tuple:
        if specs is None:  # the usual answer: nothing changed
            return tuple(originals)
        if type(specs) is not list or len(specs) != len(originals):
            raise ReplyError("a malformed report of the inputs")
        return tuple(original if spec is None else self.entry(spec) for spec, original in zip(specs, originals))


REPLY_FIELDS = 6   # [index, error, output, returns, inputs_after, grad_outs_after] (worker.Reply)


def outcome(reply, arrays: list, case, cap: int = None) -> Outcome:
    """The Outcome of `case` from its reply (worker.Reply), or ReplyError. `cap` is array_cap(case), if known."""
    if type(reply) is not list or len(reply) != REPLY_FIELDS:
        raise ReplyError("a malformed reply")
    _index, error, output, returns, inputs_after, grad_outs_after = reply
    reader = _Reader(arrays, array_cap(case) if cap is None else cap)
    if type(returns) is not list or len(returns) > len(case.grad_outs):
        raise ReplyError("more backward values than backward calls")
    output = reader.entry(output)
    if isinstance(output, np.ndarray) and output.dtype.kind not in "biufc":
        output = Foreign(f"ndarray of dtype {output.dtype}")
    return Outcome(
        output=output,
        returns=[reader.returned(spec) for spec in returns],
        inputs_after=reader.after(inputs_after, case.inputs),
        grad_outs_after=reader.after(grad_outs_after, case.grad_outs),
        error=_text(error, MAX_ERROR),
    )
