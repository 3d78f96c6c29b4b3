"""The ops: one module per op (its contract, families, mistakes, points, docs), and the registry.

``grader/ops/mul.py`` ... ``embedding.py`` each define ``OP``, an `OpSpec` (grader/core/contract.py);
`registry` assembles them, or a course folder's, into the `Contract` the entry points hand down.
`BUILTIN` and the names below are the kit's own ops, for code that needs no course.
"""

from .registry import builtin

BUILTIN = builtin()
CONTRACT = BUILTIN.contract
OPS = CONTRACT.ops
OP_BY_KEY = CONTRACT.by_key
PROPERTIES = {op.key: list(op.properties) for op in OPS}
PROPERTY_BY_ID = CONTRACT.property_by_id
BASE_FAMILY = {op.key: op.base_family for op in OPS}


def load_rubric(path=None):
    """The rubric of the built-in ops: `path`'s, or the defaults."""
    return BUILTIN.rubric(path)
