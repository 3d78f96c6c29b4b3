"""Words for a failed property: the minimal example, what differed, and the tolerance."""

import numpy as np

SMALL = 16  # arrays with at most this many entries are printed in full


def show_array(array) -> str:
    array = np.asarray(array)
    if array.size <= SMALL:
        text = np.array2string(array, precision=4, suppress_small=False, separator=", ",
                               max_line_width=10_000, floatmode="maxprec")
        return f"shape {array.shape}: {' '.join(text.split())}"
    finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
    span = f", values in [{finite.min():.3g}, {finite.max():.3g}]" if finite.size else ""
    return f"shape {array.shape}{span}"


def show_case(op, case, call: int = 0) -> list:
    lines = [f"{name} = {show_array(x)}" for name, x in zip(op.inputs, case.inputs)]
    if len(case.grad_outs) > 1:
        lines.append(f"backward call {call + 1} of {len(case.grad_outs)}, with")
    lines.append(f"grad_out = {show_array(case.grad_outs[call])}")
    return lines


def describe_failure(prop, op, case, verdict) -> str:
    """The multi-line feedback of one failed property (its first line is the reason)."""
    lines = [verdict.reason]
    if verdict.kind in ("not_implemented",) or case is None:
        return verdict.reason
    lines.append("Minimal failing example:")
    lines += ["  " + line for line in show_case(op, case, verdict.call)]
    if verdict.got is not None and verdict.expected is not None and verdict.position >= 0:
        name = op.grad_name(verdict.position)
        lines.append(f"got      {name} = {show_array(verdict.got)}")
        lines.append(f"expected {name} = {show_array(verdict.expected)}")
    return "\n".join(lines)
