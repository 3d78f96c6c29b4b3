"""The seven ops of the student contract, written once.

Everything else (cases, oracles, the judge, the rubric, reports, release) iterates over `OPS`,
so adding or renaming an op happens here and nowhere else.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class OpSpec:
    key: str                 # report key: "mul", "softmax_ce", ...
    class_name: str          # the class students implement in ops.py
    inputs: tuple            # forward argument names, in order
    integer_inputs: tuple = ()  # inputs whose gradient must be None (labels, indices)

    def is_float_input(self, position: int) -> bool:
        return self.inputs[position] not in self.integer_inputs

    def grad_name(self, position: int) -> str:
        return f"grad_{self.inputs[position]}"

    def returns_text(self) -> str:
        """What backward returns, as students read it: "grad_logits, None"."""
        return ", ".join(self.grad_name(i) if self.is_float_input(i) else "None" for i in range(len(self.inputs)))


OPS = (
    OpSpec("mul", "Mul", ("a", "b")),
    OpSpec("add", "Add", ("a", "b")),
    OpSpec("max", "Max", ("a", "b")),
    OpSpec("sigmoid", "Sigmoid", ("x",)),
    OpSpec("matmul", "MatMul", ("a", "b")),
    OpSpec("softmax_ce", "SoftmaxCrossEntropy", ("logits", "labels"), integer_inputs=("labels",)),
    OpSpec("embedding", "Embedding", ("weight", "indices"), integer_inputs=("indices",)),
)

OP_BY_KEY = {op.key: op for op in OPS}
