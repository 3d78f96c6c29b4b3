"""Structural kinds: what backward returned, mutation, state and upstream checks.

These are facts the judge established (an arity, a None, a dtype, a changed array, a second call
that differs), so they reproduce by definition; where a state mistake also predicts the exact
numbers (a buffer that adds up, a memoised result) its more specific id is given.
"""

import re

import numpy as np

from . import state
from .failure import returned_tuple
from .mistakes import Diagnosis, first_reproduced


def returned_type(f, others=()) -> Diagnosis:
    reason, op = f.verdict.reason, f.op
    container = re.match(r"backward returned a (\w+);", reason)
    if container:
        what = container.group(1)
        if what == "NoneType":
            return Diagnosis("missing_return", f"backward returned None: it needs a return statement, return "
                                               f"{returned_tuple(op)}")
        if what in ("ndarray", "float64", "float", "int"):
            single = " (the trailing comma makes a one-element tuple)" if len(op.inputs) == 1 else ""
            return Diagnosis("not_a_tuple", f"backward returned a bare array instead of a tuple with one entry "
                                            f"per input: return {returned_tuple(op)}{single}")
        return Diagnosis("not_a_tuple", f"backward returned a {what}: return a tuple with one entry per input, "
                                        f"{returned_tuple(op)}")
    if f.position >= 0 and "is None" in reason:
        return Diagnosis("none_for_float_input", f"{f.name} is None: None is only for integer inputs; every float "
                                                 f"input needs a gradient array shaped like {f.source}")
    foreign = re.search(r" is a (\w+); it must be", reason)
    if f.position >= 0 and foreign:
        return Diagnosis("not_an_array", f"{f.name} is a {foreign.group(1)}: return a float64 ndarray (e.g. "
                                         f"np.asarray(..., dtype=float))")
    return Diagnosis()


def arity(f, others=()) -> Diagnosis:
    op, count = f.op, len(f.grads)
    integers = [name for name in op.inputs if name in op.integer_inputs]
    plural = "s" * (count != 1)
    if count < len(op.inputs) and integers:
        return Diagnosis("wrong_arity", f"backward returned {count} value{plural} for {len(op.inputs)} inputs: "
                                        f"return one entry per input, with None for the integer {integers[0]}: "
                                        f"{returned_tuple(op)}")
    return Diagnosis("wrong_arity", f"backward returned {count} value{plural} but forward takes {len(op.inputs)} "
                                    f"input{'s' * (len(op.inputs) != 1)}: return one entry per input, in order: "
                                    f"{returned_tuple(op)}")


def integer_grad(f, others=()) -> Diagnosis:
    what = {"labels": "class labels", "indices": "row indices"}.get(f.source, "integers")
    return Diagnosis("non_none_integer_grad", f"{f.source} are integer {what} and have no gradient: return None "
                                              f"in their place, {returned_tuple(f.op)}, not an array of zeros")


def dtype(f, others=()) -> Diagnosis:
    got = np.asarray(f.verdict.grads[f.position]) if 0 <= f.position < len(f.verdict.grads) else None
    if got is None or got.dtype.kind not in "biu":
        return Diagnosis()
    made_of = "a boolean mask" if got.dtype.kind == "b" else "an integer array"
    return Diagnosis("integer_dtype", f"{f.name} has dtype {got.dtype}, so it was built from {made_of} (e.g. "
                                      f"np.zeros_like of an integer array, or a mask not multiplied by grad_out): "
                                      f"build it as float64")


def mutation(f, others=()) -> Diagnosis:
    if f.position < 0 or "grad_out" in f.verdict.reason:
        return Diagnosis("mutates_grad_out", "backward changed grad_out in place (e.g. grad_out *= ..., "
                         "grad_out[mask] = 0, or a helper writing into it): the caller still needs it, so compute "
                         "new arrays (g = grad_out * ...) or work on grad_out.copy()")
    return Diagnosis("mutates_input", f"backward changed its input {f.source} in place (e.g. self.{f.source} *= "
                                      f"... or writing into a view of it): the inputs belong to the caller, so "
                                      f"compute new arrays instead")


def stateful(f, others=()) -> Diagnosis:
    found = first_reproduced(state.HYPOTHESES[:2], f, others)
    return found or Diagnosis("stateful", f"a second backward call with the same grad_out gave a different "
                                          f"{f.name}: backward changes something it keeps on self (e.g. a cached "
                                          f"array updated in place, like self.probs -= ...); compute fresh arrays "
                                          f"in every call")


def zero_upstream(f, others=()) -> Diagnosis:
    return Diagnosis("ignored_upstream",
                     f"with grad_out = 0, {f.name} should be all zeros but is not: backward ignores grad_out (or "
                     f"adds a term that does not depend on it); multiply the local derivative by grad_out")


def linearity(f, others=()) -> Diagnosis:
    found = first_reproduced(state.HYPOTHESES[:2], f, others)
    return found or Diagnosis("not_linear_in_upstream",
                              f"{f.name} is not linear in grad_out (for grad_out = α·d1 + β·d2 it is not "
                              f"α·{f.name}(d1) + β·{f.name}(d2)): multiply grad_out only by values computed from "
                              f"the inputs (no grad_out**2, abs or sigmoid of grad_out), and keep nothing on self "
                              f"from one call to the next")


def error(f, others=()) -> Diagnosis:
    reason, op = f.verdict.reason, f.op
    for own in op.errors:  # the op's reading of its own exceptions first
        found = own(f)
        if found:
            return found
    if "could not be broadcast" in reason:
        shapes = ", ".join(f"{name} {tuple(np.shape(x))}" for name, x in zip(op.inputs, f.inputs))
        return Diagnosis("shapes_do_not_broadcast", f"arrays in backward do not broadcast together: grad_out has "
                         f"the output's shape {tuple(f.d.shape)} and the inputs are {shapes}; combine grad_out "
                         f"with the inputs first, then reduce to each input's shape")
    return Diagnosis()
