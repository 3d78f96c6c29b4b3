"""Structured verdicts: the judge states its findings as a kind and fields, and diagnoses read
those fields, never the sentence students read (which may be reworded at any time).

Each example below is a failure the kit diagnoses; its diagnosis must not change when the
verdict's reason is replaced by any other text.
"""

from dataclasses import replace

import numpy as np
import pytest

from grader.core.cases import Case
from grader.ops import PROPERTY_BY_ID
from grader.ops import OP_BY_KEY
from grader.core.diagnoses import Failing, diagnose
from grader.core.judge import Kind, judge
from grader.sandbox.untrusted.calls import Outcome, normalize

MUL = OP_BY_KEY["mul"]
RNG = np.random.default_rng(0)
A, B, D = RNG.normal(size=(2, 3)), RNG.normal(size=(3,)), RNG.normal(size=(2, 3))
RIGHT = (D * B, (D * A).sum(0))
OddName = type("odd-name", (), {})  # a class name no \w+ pattern matches


def failing(reference, prop_id, returned=(), error="", grad_outs_after=None, inputs_after=None):
    prop = PROPERTY_BY_ID[prop_id]
    op = OP_BY_KEY[prop.op]
    case = Case((A, B), (D,) * (2 if prop.check == "no_mutation" else 1))
    if prop.check == "upstream":
        case = Case((A, B), (np.zeros_like(D), D, 2 * D, 1.5 * D, D), (0.5, 0.25))
    expected = reference.expect(op, case)
    outcome = Outcome(output=None if error.startswith("Mul.forward") else expected.output,
                      returns=[normalize(r) for r in returned], error=error,
                      inputs_after=case.inputs if inputs_after is None else inputs_after,
                      grad_outs_after=case.grad_outs if grad_outs_after is None else grad_outs_after)
    verdict = judge(prop, op, case, expected, outcome, reference)
    assert not verdict.passed
    return Failing(case, verdict, expected, outcome, reference)


BROADCAST = "Mul.backward raised ValueError: operands could not be broadcast together with shapes (2,3) (2,) (ops.py, line 9)"
EXAMPLES = {  # id -> (property, what backward returned, the runner's error, grad_outs after, inputs after)
    "missing_return": ("mul.broadcast", [None], "", None, None),
    "bare_array": ("mul.broadcast", [RIGHT[0]], "", None, None),
    "odd_container": ("mul.broadcast", [OddName()], "", None, None),
    "none_entry": ("mul.broadcast", [(None, RIGHT[1])], "", None, None),
    "list_entry": ("mul.broadcast", [(RIGHT[0].tolist(), RIGHT[1])], "", None, None),
    "grad_out_mutated": ("mul.no_mutation", [RIGHT, RIGHT], "", (2 * D, D.copy()), None),
    "input_mutated": ("mul.no_mutation", [RIGHT, RIGHT], "", None, (A, B + 1)),
    "broadcast_error": ("mul.broadcast", [], BROADCAST, None, None),
}
MISTAKES = {"missing_return": "missing_return", "bare_array": "not_a_tuple", "odd_container": "not_a_tuple",
            "none_entry": "none_for_float_input", "list_entry": "not_an_array", "grad_out_mutated": "mutates_grad_out",
            "input_mutated": "mutates_input", "broadcast_error": "shapes_do_not_broadcast"}


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_diagnosis_reads_the_fields_not_the_sentence(reference, name):
    prop_id, returned, error, grad_outs_after, inputs_after = EXAMPLES[name]
    found = failing(reference, prop_id, returned, error, grad_outs_after, inputs_after)
    diagnosis = diagnose(MUL, found)
    assert diagnosis.mistake == MISTAKES[name]
    for other in ("", "reworded", found.verdict.reason[::-1]):
        reworded = replace(found, verdict=replace(found.verdict, reason=other))
        assert diagnose(MUL, reworded) == diagnosis


def test_the_verdict_states_its_facts_as_fields(reference):
    def verdict(name):
        prop_id, returned, error, grad_outs_after, inputs_after = EXAMPLES[name]
        return failing(reference, prop_id, returned, error, grad_outs_after, inputs_after).verdict

    assert (verdict("missing_return").kind, verdict("missing_return").returned) == (Kind.TYPE, "NoneType")
    assert verdict("odd_container").returned == "odd-name" and verdict("odd_container").position == -1
    assert (verdict("list_entry").returned, verdict("list_entry").position) == ("list", 0)
    assert (verdict("grad_out_mutated").kind, verdict("grad_out_mutated").mutated) == (Kind.MUTATION, "grad_out")
    assert (verdict("input_mutated").mutated, verdict("input_mutated").position) == ("b", 1)
    assert (verdict("broadcast_error").kind, verdict("broadcast_error").error) == (Kind.ERROR, BROADCAST)


def test_every_kind_the_judge_gives_is_a_member_of_the_enum(reference):
    for name, (prop_id, returned, error, grad_outs_after, inputs_after) in EXAMPLES.items():
        kind = failing(reference, prop_id, returned, error, grad_outs_after, inputs_after).verdict.kind
        assert type(kind) is Kind, name
    assert failing(reference, "mul.broadcast", [(RIGHT[0], RIGHT[1] * 2)]).verdict.kind is Kind.VALUES
