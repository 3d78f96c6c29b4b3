"""The capstone's graded properties, by name, with what each one tests (the rubric's
``[points.capstone]`` table names them), marked for translation where they are shown.
Data only: no Hypothesis, no NumPy."""

from ...i18n import N_

GRAPH_PROPERTIES = {
    "chain": N_("a chain of nodes: each gradient is passed back once, to the one input"),
    "fan_out": N_("a leaf or an intermediate read by 2 or 3 nodes: their shares are added (+=)"),
    "repeated_input": N_("one node reads the same tensor twice (like Mul(x, x)): both shares are added"),
    "unused_output": N_("a node whose output nothing reads: skipped, no error, no gradient from it"),
    "deep": N_("20 to 40 nodes with skip connections: reverse topological order, each node once"),
    "integer_inputs": N_("integer (index) inputs keep grad None"),
    "zero_grad": N_("two SGD steps: sgd_step updates the data and zeroes the gradients"),
}
MILESTONE = {
    "milestone": N_("the whole network on your ops and tape: every gradient right (cmp table), then SGD "
                    "training reaches the loss threshold"),
}
PROPERTIES = {**GRAPH_PROPERTIES, **MILESTONE}
# The default rubric's points (a part of its own, beside the ops' 100): the graph logic on the
# grader's own ops, then the milestone on the student's ops and tape.
POINTS = {"chain": 2, "fan_out": 3, "repeated_input": 2, "unused_output": 2, "deep": 2, "integer_inputs": 2,
          "zero_grad": 2, "milestone": 5}
