"""Structural kinds: what backward returned, mutation, state and upstream checks.

These are facts the judge established (an arity, a None, a dtype, a changed array, a second call
that differs), so they reproduce by definition; where a state mistake also predicts the exact
numbers (a buffer that adds up, a memoised result) its more specific id is given.
"""

import numpy as np

from . import state
from .failure import returned_tuple
from .mistakes import Diagnosis, first_reproduced
from ...i18n import _, ngettext


def returned_type(f, others=()) -> Diagnosis:
    op, what = f.op, f.verdict.returned
    if f.verdict.position < 0:  # the container itself is no tuple or list
        if what == "NoneType":
            return Diagnosis("missing_return", (_("backward returned None: it needs a return statement, return "
                                                  "{returned_tuple}")
                                                .format(returned_tuple=returned_tuple(op))))
        if what in ("ndarray", "float64", "float", "int"):
            single = _(" (the trailing comma makes a one-element tuple)") if len(op.inputs) == 1 else ""
            return Diagnosis("not_a_tuple", (_("backward returned a bare array instead of a tuple with one "
                                               "entry per input: return {returned_tuple}{single}")
                                             .format(returned_tuple=returned_tuple(op), single=single)))
        return Diagnosis("not_a_tuple", (_("backward returned a {what}: return a tuple with one entry per "
                                           "input, {returned_tuple}")
                                         .format(what=what, returned_tuple=returned_tuple(op))))
    if what == "NoneType":
        return Diagnosis("none_for_float_input", (_("{name} is None: None is only for integer inputs; every "
                                                    "float input needs a gradient array shaped like {source}")
                                                  .format(name=f.name, source=f.source)))
    if what:
        return Diagnosis("not_an_array", (_("{name} is a {what}: return a float64 ndarray (e.g. np.asarray(..., "
                                            "dtype=float))")
                                          .format(name=f.name, what=what)))
    return Diagnosis()


def arity(f, others=()) -> Diagnosis:
    op, count = f.op, len(f.grads)
    integers = [name for name in op.inputs if name in op.integer_inputs]
    returned = ngettext("backward returned {count} value", "backward returned {count} values", count).format(count=count)
    if count < len(op.inputs) and integers:
        return Diagnosis("wrong_arity", (_("{returned} for {n_inputs} inputs: return one entry per input, with None "
                                           "for the integer {integers}: {returned_tuple}")
                                         .format(returned=returned, n_inputs=len(op.inputs), integers=integers[0],
                                                 returned_tuple=returned_tuple(op))))
    takes = ngettext("{count} input", "{count} inputs", len(op.inputs)).format(count=len(op.inputs))
    return Diagnosis("wrong_arity", (_("{returned} but forward takes {inputs}: return one entry per input, in order: "
                                       "{returned_tuple}")
                                     .format(returned=returned, inputs=takes, returned_tuple=returned_tuple(op))))


def integer_grad(f, others=()) -> Diagnosis:
    what = {"labels": _("class labels"), "indices": _("row indices")}.get(f.source, "integers")
    return Diagnosis("non_none_integer_grad", (_("{source} are integer {what} and have no gradient: return None "
                                                 "in their place, {returned_tuple}, not an array of zeros")
                                               .format(source=f.source, what=what, returned_tuple=returned_tuple(f.op))))


def dtype(f, others=()) -> Diagnosis:
    got = np.asarray(f.verdict.grads[f.position]) if 0 <= f.position < len(f.verdict.grads) else None
    if got is None or got.dtype.kind not in "biu":
        return Diagnosis()
    made_of = _("a boolean mask") if got.dtype.kind == "b" else _("an integer array")
    return Diagnosis("integer_dtype", (_("{name} has dtype {dtype}, so it was built from {made_of} (e.g. "
                                         "np.zeros_like of an integer array, or a mask not multiplied by "
                                         "grad_out): build it as float64")
                                       .format(name=f.name, dtype=got.dtype, made_of=made_of)))


def mutation(f, others=()) -> Diagnosis:
    if f.verdict.mutated == "grad_out":
        return Diagnosis("mutates_grad_out", _("backward changed grad_out in place (e.g. grad_out *= ..., "
                                               "grad_out[mask] = 0, or a helper writing into it): the caller "
                                               "still needs it, so compute new arrays (g = grad_out * ...) or "
                                               "work on grad_out.copy()"))
    return Diagnosis("mutates_input", (_("backward changed its input {source} in place (e.g. self.{source} *= "
                                         "... or writing into a view of it): the inputs belong to the caller, "
                                         "so compute new arrays instead")
                                       .format(source=f.source)))


def stateful(f, others=()) -> Diagnosis:
    found = first_reproduced(state.HYPOTHESES[:2], f, others)
    return found or Diagnosis("stateful", (_("a second backward call with the same grad_out gave a different "
                                             "{name}: backward changes something it keeps on self (e.g. a "
                                             "cached array updated in place, like self.probs -= ...); compute "
                                             "fresh arrays in every call")
                                           .format(name=f.name)))


def zero_upstream(f, others=()) -> Diagnosis:
    return Diagnosis("ignored_upstream",
                     (_("with grad_out = 0, {name} should be all zeros but is not: backward ignores grad_out "
                        "(or adds a term that does not depend on it); multiply the local derivative by grad_out")
                      .format(name=f.name)))


def linearity(f, others=()) -> Diagnosis:
    found = first_reproduced(state.HYPOTHESES[:2], f, others)
    return found or Diagnosis("not_linear_in_upstream",
                              _("{name} is not linear in grad_out (for grad_out = α·d1 + β·d2 it is not "
                                "α·{name}(d1) + β·{name}(d2)): multiply grad_out only by values computed from "
                                "the inputs (no grad_out**2, abs or sigmoid of grad_out), and keep nothing on "
                                "self from one call to the next").format(name=f.name))


def error(f, others=()) -> Diagnosis:
    raised, op = f.verdict.error, f.op  # the runner's line for the exception: its type and message
    for own in op.errors:  # the op's reading of its own exceptions first
        found = own(f)
        if found:
            return found
    if "could not be broadcast" in raised:
        shapes = ", ".join(f"{name} {tuple(np.shape(x))}" for name, x in zip(op.inputs, f.inputs))
        return Diagnosis("shapes_do_not_broadcast", (_("arrays in backward do not broadcast together: grad_out "
                                                       "has the output's shape {tuple} and the inputs are "
                                                       "{shapes}; combine grad_out with the inputs first, then "
                                                       "reduce to each input's shape")
                                                     .format(tuple=tuple(f.d.shape), shapes=shapes)))
    return Diagnosis()
