"""The student contract: what an op is (`OpSpec`), and the ops of one course (`Contract`).

Generic machinery never names an op: it reads what an op declares here. The ops themselves
are declared one module each under ``grader/ops/`` (or in a course folder), and the entry
points hand the resulting `Contract` down (inside the `Rubric`), so this tier imports none of
them.
"""

from dataclasses import dataclass, field
from typing import Callable, Mapping

from ..i18n import _


@dataclass(frozen=True, eq=False)
class OpSpec:
    """One op, as declarations: the contract students implement, how it is tested and diagnosed."""

    key: str                 # report key, and the rubric's [points.<key>]
    class_name: str          # the class students implement
    inputs: tuple            # forward argument names, in order
    integer_inputs: tuple = ()  # inputs whose gradient must be None (labels, indices)
    doc: str = ""            # one line, shown to students
    properties: tuple = ()   # core.cases.Property, the base family (simplest inputs) first
    points: Mapping = field(default_factory=dict)  # default rubric points, by property name
    hypotheses: tuple = ()   # the op's own misconceptions (core.diagnoses.Hypothesis), tried in order
    factors: tuple = ()      # the op's constant-factor mistakes, tried after the generic ones
    nonfinite: Callable = None  # (failure, "nan" | "inf", index) -> Diagnosis, for non-finite gradients
    ties: Callable = None    # failure -> Diagnosis at exact ties, for an op with a ``ties`` property
    errors: tuple = ()       # failure -> Diagnosis or None, for an exception backward raised
    swapped_inputs: str = ""  # what swapping the inputs' gradients also means here ("the mask is swapped")
    compare_off_ties: bool = False  # two same-shape inputs: values are compared away from exact ties
    mutations: tuple = ()    # (id, sentence, rewrite(node, scope) -> [nodes]): the op's own plausible
                             # mistakes, which `grader strength` applies beside the shared ones

    def is_float_input(self, position: int) -> bool:
        return self.inputs[position] not in self.integer_inputs

    def grad_name(self, position: int) -> str:
        return f"grad_{self.inputs[position]}"

    def returns_text(self) -> str:
        """What backward returns, as students read it: "grad_logits, None"."""
        return ", ".join(self.grad_name(i) if self.is_float_input(i) else "None" for i in range(len(self.inputs)))

    @property
    def base_family(self) -> str:
        """The name of the op's simplest family: its first property."""
        return self.properties[0].name

    def property(self, name: str):
        return next(prop for prop in self.properties if prop.name == name)


@dataclass(frozen=True, eq=False)
class Contract:
    """The ops of one course, in order: what is graded, reported and released."""

    ops: tuple
    fingerprint: str = ""  # a digest of the files that declare ops beyond the kit's own ("" for the kit)
    folder: str = ""       # the course folder that declared them ("" for the kit)
    rebuild: Callable = None  # () -> this Contract, importable by name: how a spawned process gets it

    def __reduce__(self):
        # The declarations hold lambdas, which do not pickle: a process started by spawn rebuilds
        # the contract from where it was declared instead.
        if self.rebuild is None:
            raise TypeError("this Contract cannot be sent to another process: it has no rebuild")
        return self.rebuild, ()

    def __post_init__(self):
        keys = [op.key for op in self.ops]
        duplicated = sorted({key for key in keys if keys.count(key) > 1})
        if duplicated:
            raise ValueError(_("op key(s) declared twice: {join}").format(join=', '.join(duplicated)))

    def __iter__(self):
        return iter(self.ops)

    def __len__(self):
        return len(self.ops)

    def __contains__(self, key) -> bool:
        return key in self.by_key

    def __getitem__(self, key: str) -> OpSpec:
        return self.by_key[key]

    @property
    def by_key(self) -> dict:
        return {op.key: op for op in self.ops}

    @property
    def keys(self) -> tuple:
        return tuple(op.key for op in self.ops)

    @property
    def property_by_id(self) -> dict:
        return {prop.id: prop for op in self.ops for prop in op.properties}
