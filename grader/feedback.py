"""Words for a failed property: the minimal example, what differed, and the tolerance."""

import numpy as np

SMALL = 16  # arrays with at most this many entries are printed in full


def show_array(array, precision: int = 4) -> str:
    array = np.asarray(array)
    if array.size <= SMALL:
        text = np.array2string(array, precision=precision, suppress_small=False, separator=", ",
                               max_line_width=10_000, floatmode="maxprec")
        return f"shape {array.shape}: {' '.join(text.split())}"
    finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
    span = f", values in [{finite.min():.3g}, {finite.max():.3g}]" if finite.size else ""
    return f"shape {array.shape}{span}"


def distinguishing_precision(arrays, start: int = 4, most: int = 12) -> int:
    """Decimals enough that values which differ also print differently (a near tie in max)."""
    shown = [np.ravel(a) for a in arrays if np.asarray(a).dtype.kind == "f" and 0 < np.size(a) <= SMALL]
    if not shown:
        return start
    values = np.unique(np.concatenate(shown))
    for precision in range(start, most):
        if len(np.unique(np.round(values, precision))) == len(values):
            return precision
    return most


def show_case(op, case, call: int = 0) -> list:
    precision = distinguishing_precision(case.inputs)
    lines = [f"{name} = {show_array(x, precision)}" for name, x in zip(op.inputs, case.inputs)]
    if len(case.grad_outs) > 1:
        lines.append(f"backward call {call + 1} of {len(case.grad_outs)}, with")
    lines.append(f"grad_out = {show_array(case.grad_outs[call])}")
    return lines


def describe_failure(prop, op, case, verdict, tolerance_rule: str = "", diagnosis: str = "") -> str:
    """The feedback of one failed property, in the order a student reads it: what failed (the
    one-line reason, which is also the first line), the minimal example, the wrong gradient,
    expected vs got, the tolerance, and the diagnosis."""
    if verdict.kind == "not_implemented" or case is None:
        return verdict.reason
    lines = [verdict.reason, "Minimal failing example:"]
    lines += ["  " + line for line in show_case(op, case, verdict.call)]
    if verdict.position >= 0:
        name = op.grad_name(verdict.position)
        lines.append(f"Wrong gradient: {name} (returned value {verdict.position + 1} of {len(op.inputs)})")
        if verdict.expected is not None:
            lines.append(f"  expected {name} = {show_array(verdict.expected)}")
        if verdict.got is not None:
            lines.append(f"  got      {name} = {show_array(verdict.got)}")
    if verdict.tolerance:
        rule = f" ({tolerance_rule})" if tolerance_rule and verdict.kind == "values" else ""
        lines.append(f"Tolerance: max |got - expected| <= {verdict.tolerance:.2g}{rule}")
    if diagnosis:
        lines.append(f"Diagnosis: {diagnosis}")
    return "\n".join(lines)
