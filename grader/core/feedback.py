"""Words for a failed property: the minimal example, what differed, and the tolerance.

The feedback of a failed check is one text, in the order a student reads it: the one-line
reason (its first line, what pytest's short summary shows), the minimal failing example, the
wrong gradient (expected and got, where they differ), the tolerance, and last the likely
mistake when diagnose.py recognised one. A renderer that shows the likely mistake apart (the
Markdown feedback, PrairieLearn's message) takes the rest with `feedback_body`, so no medium
says it twice.
"""

import numpy as np

from ..i18n import N_, _

SMALL = 16  # arrays with at most this many entries are printed in full
LIKELY_MISTAKE = N_("Likely mistake: ")
WHAT_DIFFERS = N_("What differs: ")  # a diagnosis that names no cause: only the facts (diagnoses/facts.py)


def diagnosis_line(diagnosis: str, mistake: str) -> str:
    """The diagnosis as its last line says it: a cause is a likely mistake, facts only say what differs."""
    return _(LIKELY_MISTAKE if mistake else WHAT_DIFFERS) + diagnosis
COMPARED = ("values", "linearity", "stateful")  # verdicts whose got and expected differ entry by entry
MOST_INDICES = 6  # indices listed where got and expected differ


def show_array(array, precision: int = 4) -> str:
    """"shape (2,): [0.5, 0.]": in full when small, else the shape and the range."""
    array = np.asarray(array)
    if array.size <= SMALL:
        text = np.array2string(array, precision=precision, suppress_small=False, separator=", ",
                               max_line_width=10_000, floatmode="maxprec")
        return _("shape {shape}: {values}").format(shape=array.shape, values=" ".join(text.split()))
    finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
    span = _(", values in [{min:.3g}, {max:.3g}]").format(min=finite.min(), max=finite.max()) if finite.size else ""
    return _("shape {shape}{span}").format(shape=array.shape, span=span)


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


def _off(got, expected, tolerance):
    """Where got and expected differ by more than the tolerance (a boolean array), or None."""
    if np.shape(got) != np.shape(expected):
        return None
    return np.abs(np.asarray(got, dtype=np.float64) - np.asarray(expected, dtype=np.float64)) > tolerance


def _zeroed(array, off, tolerance):
    """Entries within the tolerance of 0, and not off, as 0: the grader cannot tell them from 0,
    and -4.7e-117 printed beside 0 would read as a difference (+ 0.0: no "-0.")."""
    return np.where(~off & (np.abs(array) <= tolerance), 0.0, array) + 0.0


def _differing_precision(got, expected, off, start: int = 4, most: int = 12) -> int:
    """Decimals enough that every entry off by more than the tolerance prints differently."""
    for precision in range(start, most):
        if not off.any() or (np.round(got[off], precision) != np.round(expected[off], precision)).all():
            return precision
    return most


def _where_off(off) -> str:
    """Which entries are wrong, when some are not: "at index (1, 0) (1 of 4 entries; ...)"."""
    indices = [str(tuple(int(i) for i in index)).replace(",)", ")") for index in np.argwhere(off)]
    listed = ", ".join(indices[:MOST_INDICES]) + (", ..." if len(indices) > MOST_INDICES else "")
    return (_("Off by more than the tolerance at index {listed} ({n_indices} of {size} entries; the others are "
              "within it)").format(listed=listed, n_indices=len(indices), size=off.size))


def show_case(op, case, call: int = 0) -> list:
    precision = distinguishing_precision(case.inputs)
    lines = [f"{name} = {show_array(x, precision)}" for name, x in zip(op.inputs, case.inputs)]
    if len(case.grad_outs) > 1:
        lines.append((_("backward call {call} of {n_grad_outs}, with")
                      .format(call=call + 1, n_grad_outs=len(case.grad_outs))))
    lines.append(f"grad_out = {show_array(case.grad_outs[call])}")
    return lines


def _wrong_gradient(op, verdict) -> list:
    name = op.grad_name(verdict.position)
    lines = [(_("Wrong gradient: {name} (returned value {position} of {n_inputs})")
              .format(name=name, position=verdict.position + 1, n_inputs=len(op.inputs)))]
    got, expected = verdict.got, verdict.expected
    compared = verdict.kind in COMPARED and expected is not None and got is not None
    off = _off(got, expected, verdict.tolerance) if compared else None
    precision = 4
    if off is not None:
        got, expected = _zeroed(got, off, verdict.tolerance), _zeroed(expected, off, verdict.tolerance)
        precision = _differing_precision(got, expected, off)
    if expected is not None:
        lines.append(_("  expected {name} = {array}").format(name=name, array=show_array(expected, precision)))
    if got is not None:
        lines.append(_("  got      {name} = {array}").format(name=name, array=show_array(got, precision)))
    if off is not None and np.size(off) <= SMALL and not off.all():
        lines.append(f"  {_where_off(off)}")
    return lines


def describe_failure(prop, op, case, verdict, tolerance_rule: str = "", diagnosis: str = "",
                     mistake: str = "") -> str:
    """The feedback of one failed property, in the order a student reads it: what failed (the
    one-line reason, which is also the first line), the minimal example, the wrong gradient,
    expected vs got, the tolerance, and the likely mistake (`mistake`: its id) or the facts."""
    lines = [verdict.reason]
    if verdict.kind != "not_implemented" and case is not None:
        lines.append(_("Minimal failing example:"))
        lines += ["  " + line for line in show_case(op, case, verdict.call)]
        if verdict.position >= 0:
            lines += _wrong_gradient(op, verdict)
        if verdict.tolerance:
            rule = f" ({_(tolerance_rule)})" if tolerance_rule and verdict.kind == "values" else ""
            lines.append((_("Tolerance: max |got - expected| <= {tolerance:.2g}{rule}")
                          .format(tolerance=verdict.tolerance, rule=rule)))
    if diagnosis:
        lines.append(diagnosis_line(diagnosis, mistake))
    return "\n".join(lines)


def feedback_body(feedback: str, reason: str = "", diagnosis: str = "") -> str:
    """`feedback` without its first line when that is `reason`, and without its last line when
    that is the likely mistake `diagnosis` (for a renderer that shows these apart)."""
    lines = feedback.split("\n")
    if reason and lines and lines[0] == reason:
        lines = lines[1:]
    if diagnosis and lines and lines[-1] in (_(LIKELY_MISTAKE) + diagnosis, _(WHAT_DIFFERS) + diagnosis):
        lines = lines[:-1]
    return "\n".join(lines)
