"""The "run" message for one op's batch of examples, encoded once per grading process.

Every submission of a batch is sent the same bank examples, so the encoded request (frames.py),
each example's reply cap and the replies' byte allowance are kept for the most recent batches.
"""

import collections
import threading

import numpy as np

from . import replies
from .untrusted import frames

REPLY_BYTES = 64 << 20        # array bytes one batch's replies may hold, besides 8x the batch's own
_REQUESTS = collections.OrderedDict()   # recent requests, see run_request
_REQUESTS_KEPT = 32
_REQUESTS_LOCK = threading.Lock()        # runners in different threads share it


def run_request(op, batch: list) -> tuple:
    """(the encoded "run" message, each example's reply cap, the replies' byte allowance).

    Every submission of a batch sends the same bank examples, so a grading process encodes each
    op's request once. The entry keeps the examples themselves alive, so their ids stay theirs.
    """
    key = (op.key, tuple(map(id, batch)))
    with _REQUESTS_LOCK:
        found = _REQUESTS.get(key)
        if found is not None:
            _REQUESTS.move_to_end(key)
            return found[1:]
    sent = [np.asarray(a) for case in batch for a in (*case.inputs, *case.grad_outs)]
    # What the replies may hold in the grader's memory: a correct reply is about the size of
    # the inputs; a worker that sends more is failed, not buffered.
    allowance = REPLY_BYTES + 8 * sum(a.nbytes for a in sent)
    caps = [replies.array_cap(case) for case in batch]
    request = frames.encode({"type": "run", "class": op.class_name,
                             "cases": [[len(case.inputs), len(case.grad_outs)] for case in batch]}, sent)
    with _REQUESTS_LOCK:
        _REQUESTS[key] = (list(batch), request, caps, allowance)
        while len(_REQUESTS) > _REQUESTS_KEPT:
            _REQUESTS.popitem(last=False)
    return request, caps, allowance
