"""Mutation operators: the mistakes students make in ``backward``, declared as data, in one place.

An `Operator` has a stable id, one sentence saying which mistake it models, and a rewrite
(rewrites.py): a function from one AST node of a reference ``backward`` to the nodes that may
replace it (none: the node is no site for this operator; several: one mutant each). `apply` is the
``ast.NodeTransformer`` that replaces exactly one such site, counted in visiting order, and
`count_sites` counts them; mutants.py uses both. Rewrites never edit the node they are given.

`OPERATORS` serve every op. An op module declares the operators only that op knows, next to the op
(`OpSpec.mutations`: ``(id, sentence, rewrite)`` triples, such as a naive formula for its
derivative); `operators_for` gives an op both, the shared ones first.
"""

import ast
import copy
from dataclasses import dataclass, field
from typing import Callable

from ...i18n import N_
from . import rewrites as r
from .scope import Scope


@dataclass(frozen=True)
class Operator:
    id: str
    sentence: str                       # the mistake, as the report says it (N_: translated where shown)
    rewrite: Callable = field(repr=False, compare=False)  # (node, Scope) -> [replacement node, ...]
    changes_state: bool = False         # its mutants change arrays or attributes, not only what is returned


# --------------------------------------------------------------------------- the table

OPERATORS = (
    Operator("wrong_input", N_("uses the other input where this one belongs (the mul gate swaps)"), r.wrong_input),
    Operator("return_order", N_("returns the gradients in the wrong order"), r.return_order),
    Operator("swap_operands", N_("swaps the operands of a product, a difference, a quotient or np.where"),
             r.swap_operands),
    Operator("drop_transpose", N_("drops a transpose"), r.drop_transpose),
    Operator("add_transpose", N_("transposes a matrix product's operand"), r.add_transpose),
    Operator("drop_broadcast_sum", N_("does not undo broadcasting (the sum-to-shape helper left out)"), r.drop_helper),
    Operator("drop_reduction", N_("drops a sum or max reduction"), r.drop_reduction),
    Operator("reduction_axis", N_("reduces over the wrong axis, or over every axis"), r.reduction_axis),
    Operator("drop_keepdims", N_("drops keepdims=True from a reduction"), r.drop_keepdims),
    Operator("mean_for_sum", N_("takes a mean instead of a sum (or the reverse)"), r.mean_for_sum),
    Operator("ignore_grad_out", N_("ignores grad_out (uses ones instead)"), r.drop_grad_out),
    Operator("flip_sign", N_("returns a gradient with the wrong sign"), r.negate),
    Operator("plus_minus", N_("adds where it should subtract, or the reverse"), r.plus_minus),
    Operator("scale", N_("scales a gradient by 2, by 1/N or by N (N its leading dimension)"), r.scale),
    Operator("drop_factor", N_("drops one factor of a product, or the divisor of a quotient"), r.drop_factor),
    Operator("add_at_by_index", N_("replaces np.add.at by fancy-index assignment or +=, which lose repeats"),
             r.add_at_by_index),
    Operator("comparison", N_("uses another comparison (>= as >, <=, ==, ...)"), r.comparison),
    Operator("naive_form", N_("replaces a stable expression by its naive form"), r.naive_form),
    Operator("in_place", N_("modifies grad_out or a cached input in place"), r.in_place, changes_state=True),
    Operator("stale_result", N_("keeps the first call's answer and returns it on every later call"), r.stale,
             changes_state=True),
    Operator("accumulate", N_("adds each call's gradients to the previous call's (state kept between calls)"),
             r.accumulate, changes_state=True),
)


def operators_for(op) -> tuple:
    """The operators that mutate `op` (an OpSpec): the shared ones, then those its module declares."""
    return OPERATORS + tuple(Operator(*mutation) for mutation in op.mutations)


# --------------------------------------------------------------------------- one site at a time

class _AtSite(ast.NodeTransformer):
    """Replaces the `target`-th replacement (counting every site's alternatives, in visiting order)."""

    def __init__(self, operator: Operator, scope: Scope, target: int):
        self.operator, self.scope, self.target, self.seen = operator, scope, target, 0

    def visit(self, node):
        alternatives = self.operator.rewrite(node, self.scope) if isinstance(node, (ast.expr, ast.stmt)) else []
        if self.seen <= self.target < self.seen + len(alternatives):
            chosen = alternatives[self.target - self.seen]
            self.seen += len(alternatives)
            return chosen
        self.seen += len(alternatives)
        return self.generic_visit(node)


def count_sites(statements, operator: Operator, scope: Scope) -> int:
    """How many mutants `operator` makes of these statements."""
    counter = _AtSite(operator, scope, -1)
    for statement in copy.deepcopy(statements):
        counter.visit(statement)
    return counter.seen


def apply(statements, operator: Operator, scope: Scope, target: int) -> list:
    """The statements with the `target`-th replacement made: one list of statements per original one."""
    rewriter = _AtSite(operator, scope, target)
    out = []
    for statement in copy.deepcopy(statements):
        new = rewriter.visit(statement)
        out.append([ast.fix_missing_locations(s) for s in (new if isinstance(new, list) else [new])])
    return out
