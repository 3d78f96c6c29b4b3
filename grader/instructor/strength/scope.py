"""What a rewrite may know about the ``backward`` it mutates (mutants.py builds it)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    helpers: frozenset = frozenset()   # module-level functions of the reference (the broadcast helper)
    siblings: dict = field(default_factory=dict)  # self attribute -> the attributes forward stored beside it
