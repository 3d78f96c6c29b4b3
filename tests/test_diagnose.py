"""diagnose(): every wrong implementation gets one sentence that names its mistake; right answers,
random noise and malformed verdicts get no cause (and never an exception).

Each wrong snippet (tests/corpus/wrong/ plus a few more written here) is run over every property's
bank examples, the first failing verdict of each property is diagnosed, and at least one of those
sentences must contain the words that name the snippet's MISTAKE tag (NAMES below). Both oracles are
used: Reference (hidden grader) and Numeric (the students' public tests).
"""

import ast
import re
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import CORPUS, SOLUTION_SOURCE, snippet_op, with_snippet
from grader.core.bank import Bank
from grader.ops import PROPERTIES
from grader.ops import OP_BY_KEY, OPS
import grader.core.diagnoses as diagnose_module
from grader.core.diagnoses import Diagnosis, Failing, diagnose
from grader.core.judge import Verdict, judge
from grader.core.oracles import Numeric
from grader.paths import given_path, load_trusted
from grader.run.in_process import InProcessRunner

WRONG = sorted((CORPUS / "wrong").glob("*.py"))
CORRECT = sorted((CORPUS / "correct").glob("*.py"))

# A sentence names a MISTAKE tag when it contains every substring of one of the tag's alternatives.
NAMES = {
    "unreduced_broadcast": [("output's shape", "sum it over")],
    "wrong_reduce_axis": [("summed over", "broadcast along"), ("sum it over", "axis"), ("sum it over", "axes")],
    "wrong_reduced_shape": [("right values but shape", "keepdims")],
    "swapped_operands": [("operands are swapped",)],
    "mask_swapped": [("mask is swapped",)],
    "wrong_order": [("gradients are returned in the wrong order",)],
    "product_order_swapped": [("factors are in the wrong order",)],
    "ignored_upstream": [("ignores grad_out",)],
    "constant_factor": [("of the right gradient",), ("times the right gradient",), ("times too large",),
                        ("half the right gradient",)],
    "sign_flipped": [("wrong sign",)],
    "transposed": [("transpose",)],
    "repeats_not_accumulated": [("appears", "np.add.at")],
    "multidim_indices": [("within indices[", "np.add.at")],
    "ties_doubled": [("both a and b", "doubles")],
    "ties_lost": [("neither a nor b",)],
    "near_ties_split": [("near tie", "exact")],
    "overflow": [("overflow",), ("underflow",)],
    "mutates_grad_out": [("changed grad_out in place",), ("modified in place",)],
    "mutates_input": [("changed its input", "in place")],
    "wrong_arity": [("one entry per input",)],
    "non_none_integer_grad": [("return None in their place",)],
    "stateful": [("second backward call",)],
    "derivative_of_input": [("not its input x",)],
    "wrong_local_derivative": [("not its own derivative",), ("factor s is missing",)],
    "sigmoid_applied_twice": [("sigmoid applied twice",)],
    "sigmoid_of_upstream": [("sigmoid was applied to grad_out",)],
    "missing_return": [("return statement",)],
    "not_an_array": [("float64 ndarray",)],
    "integer_dtype": [("dtype", "float64")],
    "unrouted": [("gets grad_out everywhere",)],
    "missing_onehot": [("one-hot of the labels was not subtracted",)],
    "wrong_label_index": [("np.arange(N), labels",)],
    "wrong_softmax_axis": [("over axis 0",)],
    "averaged_repeats": [("averages repeated lookups",)],
    "starts_from_weight": [("starts from weight",)],
    "unscattered": [("has grad_out's shape",), ("is grad_out itself",)],
    "memoised_result": [("earlier backward call", "saved")],
    "accumulates_across_calls": [("keeps adding up",)],
    "reshape_order": [("reordered", "reshape"), ("another order", "reshape")],
    "indices_as_onehot": [("as if they were one-hot",)],
    "relu_mask": [("relu's mask",)],
    "mean_not_sum": [("were averaged (mean)",)],
    "averaged_product": [("a sum, not a mean",)],
    "missing_mean": [("times too large", "divide the gradient by n")],
    "missing_transpose": [("needs a transpose",)],
    "not_a_tuple": [("instead of a tuple",)],
}

# More typical mistakes, in the corpus's snippet format (appended to the reference source, so the
# reference's private _sum_to_shape is available to them).
EXTRA = {
    "mul__doubled": ("constant_factor", """
class Mul(Mul):
    def backward(self, grad_out):
        return (_sum_to_shape(2 * grad_out * self.b, np.shape(self.a)),
                _sum_to_shape(2 * grad_out * self.a, np.shape(self.b)))
"""),
    "mul__stateful_accumulator": ("accumulates_across_calls", """
class Mul(Mul):
    def backward(self, grad_out):
        if not hasattr(self, "acc"):
            self.acc = [np.zeros(np.shape(self.a)), np.zeros(np.shape(self.b))]
        self.acc[0] = self.acc[0] + _sum_to_shape(grad_out * self.b, np.shape(self.a))
        self.acc[1] = self.acc[1] + _sum_to_shape(grad_out * self.a, np.shape(self.b))
        return tuple(self.acc)
"""),
    "add__half_each": ("constant_factor", """
class Add(Add):
    def backward(self, grad_out):
        return _sum_to_shape(grad_out / 2, self.a_shape), _sum_to_shape(grad_out / 2, self.b_shape)
"""),
    "add__list_entries": ("not_an_array", """
class Add(Add):
    def backward(self, grad_out):
        return [_sum_to_shape(grad_out, self.a_shape).tolist(), _sum_to_shape(grad_out, self.b_shape)]
"""),
    "max__unrouted": ("unrouted", """
class Max(Max):
    def backward(self, grad_out):
        return _sum_to_shape(grad_out, np.shape(self.a)), _sum_to_shape(grad_out, np.shape(self.b))
"""),
    "max__mask_not_multiplied": ("integer_dtype", """
class Max(Max):
    def backward(self, grad_out):
        a_wins = np.broadcast_to(self.a >= self.b, np.shape(grad_out))
        return _sum_to_shape(a_wins, np.shape(self.a)).astype(int), _sum_to_shape(~a_wins, np.shape(self.b))
"""),
    "sigmoid__exp_of_positive_input": ("overflow", """
class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        e = np.exp(self.x)
        s = e / (1.0 + e)
        return (grad_out * s * (1.0 - s),)
"""),
    "sigmoid__one_minus_s": ("wrong_local_derivative", """
class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        return (grad_out * (1.0 - self.out),)
"""),
    "sigmoid__overwrites_input": ("mutates_input", """
class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        self.x[...] = self.out
        return (grad_out * self.x * (1.0 - self.x),)
"""),
    "sigmoid__sigmoid_of_grad_out": ("sigmoid_of_upstream", """
class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        return (self.out * (1.0 - self.out) / (1.0 + np.exp(-grad_out)),)
"""),
    "sigmoid__no_return": ("missing_return", """
class Sigmoid(Sigmoid):
    def backward(self, grad_out):
        grad_x = grad_out * self.out * (1.0 - self.out)
"""),
    "matmul__grad_a_uses_a": ("swapped_operands", """
class MatMul(MatMul):
    def backward(self, grad_out):
        return grad_out @ self.a.T, self.a.T @ grad_out
"""),
    "matmul__only_grad_a": ("wrong_arity", """
class MatMul(MatMul):
    def backward(self, grad_out):
        return (grad_out @ self.b.T,)
"""),
    "softmax_ce__no_onehot": ("missing_onehot", """
class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        z = self.logits - self.logits.max(axis=1, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return probs * grad_out / len(self.labels), None
"""),
    "softmax_ce__labels_as_columns": ("wrong_label_index", """
class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        z = self.logits - self.logits.max(axis=1, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        probs[:, self.labels] -= 1.0
        return probs * grad_out / len(self.labels), None
"""),
    "softmax_ce__softmax_over_rows": ("wrong_softmax_axis", """
class SoftmaxCrossEntropy(SoftmaxCrossEntropy):
    def backward(self, grad_out):
        z = self.logits - self.logits.max(axis=0, keepdims=True)
        probs = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
        probs[np.arange(len(self.labels)), self.labels] -= 1.0
        return probs * grad_out / len(self.labels), None
"""),
    "embedding__mean_of_repeats": ("averaged_repeats", """
class Embedding(Embedding):
    def backward(self, grad_out):
        grad_weight = np.zeros_like(self.weight)
        np.add.at(grad_weight, self.indices, grad_out)
        counts = np.bincount(np.ravel(self.indices), minlength=len(self.weight))
        return grad_weight / np.maximum(counts, 1)[:, None], None
"""),
    "embedding__starts_from_weight": ("starts_from_weight", """
class Embedding(Embedding):
    def backward(self, grad_out):
        grad_weight = self.weight.copy()
        np.add.at(grad_weight, self.indices, grad_out)
        return grad_weight, None
"""),
    "embedding__returns_grad_out": ("unscattered", """
class Embedding(Embedding):
    def backward(self, grad_out):
        return grad_out, None
"""),
}


def _tag(path: Path) -> str:
    return re.search(r'^MISTAKE = "(\w+)"', path.read_text(encoding="utf-8"), re.M).group(1)


def _also(path: Path) -> tuple:
    """The ALSO tags of a corpus file: what the same numbers also are, on some examples."""
    found = re.search(r"^ALSO = (\(.*?\))", path.read_text(encoding="utf-8"), re.M)
    return ast.literal_eval(found.group(1)) if found else ()


def _names(sentence: str, tag) -> bool:
    """Whether `sentence` names the mistake `tag` (or one of the tags of a tuple)."""
    lowered = sentence.lower()
    tags = tag if isinstance(tag, tuple) else (tag,)
    return any(all(part.lower() in lowered for part in alternative) for t in tags for alternative in NAMES.get(t, ()))


def _first_failures(source, op, bank):
    """{property name: Failing} of the first failing example of each property of `op` that the source fails."""
    runner = InProcessRunner(source)
    failures = {}
    for prop in PROPERTIES[op.key]:
        examples = bank.examples(prop)
        outcomes = runner.run(op, [example.case for example in examples])
        for example, outcome in zip(examples, outcomes):
            verdict = judge(prop, op, example.case, example.expected, outcome, bank.oracle)
            if not verdict.passed:
                failures[prop.name] = Failing(example.case, verdict, example.expected, outcome, bank.oracle)
                break
    return failures


def _sentence(op, case, verdict) -> str:
    """The diagnosis of a hand-built failure, when it names a cause ("" for facts only)."""
    found = diagnose(op, Failing(case, verdict))
    return found.sentence if found.mistake else ""


@pytest.fixture(scope="module")
def numeric_bank(rubric):
    return Bank(Numeric(load_trusted(given_path(), "backprop_given_diagnose_tests")), rubric)


@pytest.fixture(scope="module")
def banks(bank, numeric_bank):
    return {"reference": bank, "numeric": numeric_bank}


CASES = [(path.stem, snippet_op(path), (_tag(path),) + _also(path), with_snippet(path)) for path in WRONG] + [
    (name, name.split("__")[0], (tag,), SOLUTION_SOURCE + "\n\n" + snippet) for name, (tag, snippet) in EXTRA.items()]


def test_every_tag_has_words_that_name_it():
    assert {_tag(path) for path in WRONG} | {tag for tag, _ in EXTRA.values()} <= set(NAMES)


@pytest.mark.parametrize("oracle", ["reference", "numeric"])
@pytest.mark.parametrize("name, op_key, tag, source", CASES, ids=[case[0] for case in CASES])
def test_a_wrong_implementation_gets_a_diagnosis_that_names_its_mistake(name, op_key, tag, source, oracle, banks):
    op = OP_BY_KEY[op_key]
    failures = _first_failures(source, op, banks[oracle])
    assert failures, f"{name} fails no property of {op_key}"
    sentences = {prop: diagnose(op, failing).sentence for prop, failing in failures.items()}
    assert any(sentences.values()), f"{name}: no diagnosis at all"
    assert any(_names(sentence, tag) for sentence in sentences.values()), \
        f"{name} ({tag}) is not named by any diagnosis: {sentences}"
    for sentence in sentences.values():
        assert "\n" not in sentence and len(sentence) < 400


def test_every_failed_property_gets_a_cause_or_the_facts(bank):
    """Not just one property per file: each failed property gets a sentence, quickly."""
    total, empty = 0, []
    started = time.perf_counter()
    for path in WRONG:
        op = OP_BY_KEY[snippet_op(path)]
        for prop, failing in _first_failures(with_snippet(path), op, bank).items():
            total += 1
            if not diagnose(op, failing) and failing.verdict.kind not in ("error", "shape"):
                empty.append(f"{path.stem}.{prop}")
    assert total >= 150 and not empty, f"{len(empty)} of {total} failed properties got no sentence: {empty}"
    assert time.perf_counter() - started < 20


def _verdicts_for(op, case, got_calls, expected):
    """A hand-built failed 'values' verdict per (call, float position), with the given gradients."""
    for call, (got, want) in enumerate(zip(got_calls, expected.grads)):
        for position, (g, w) in enumerate(zip(got, want)):
            if w is not None:
                yield Verdict(False, "hand-built", "values", call, position, got=g, expected=w,
                              grads=tuple(got), expected_grads=tuple(want))


def test_exactly_right_gradients_get_no_diagnosis(bank):
    for op in OPS:
        for prop in PROPERTIES[op.key]:
            for example in bank.examples(prop):
                copies = [tuple(None if g is None else g.copy() for g in call) for call in example.expected.grads]
                for verdict in _verdicts_for(op, example.case, copies, example.expected):
                    assert _sentence(op, example.case, verdict) == "", (prop.id, verdict.position)


@pytest.mark.parametrize("source, ops", [(SOLUTION_SOURCE, OPS)] + [
    (with_snippet(p), [OP_BY_KEY[snippet_op(p)]]) for p in CORRECT], ids=["reference"] + [p.stem for p in CORRECT])
def test_correct_code_fails_nothing_and_its_gradients_get_no_diagnosis(source, ops, bank):
    """Alternative correct code (other tie splits, other float rounding) passes every property,
    and even as a hand-built failure its gradients trigger no diagnosis."""
    runner = InProcessRunner(source)
    for op in ops:
        for prop in PROPERTIES[op.key]:
            examples = bank.examples(prop)
            for example, outcome in zip(examples, runner.run(op, [ex.case for ex in examples])):
                assert judge(prop, op, example.case, example.expected, outcome, bank.oracle).passed, prop.id
                got_calls = [tuple(e if isinstance(e, np.ndarray) else None for e in returned.entries)
                             for returned in outcome.returns]
                for verdict in _verdicts_for(op, example.case, got_calls, example.expected):
                    assert _sentence(op, example.case, verdict) == "", (prop.id, verdict.position)


def test_random_wrong_values_claim_no_specific_mistake(bank):
    rng = np.random.default_rng(0)
    for op in OPS:
        for prop in PROPERTIES[op.key]:
            for example in bank.examples(prop)[:10]:
                noisy = [tuple(None if g is None else rng.normal(size=np.shape(g)) for g in call)
                         for call in example.expected.grads]
                for verdict in _verdicts_for(op, example.case, noisy, example.expected):
                    assert _sentence(op, example.case, verdict) == "", (prop.id, verdict.position)


def test_a_malformed_verdict_gives_no_diagnosis_and_no_exception(bank, monkeypatch):
    op = OP_BY_KEY["mul"]
    case = bank.examples(PROPERTIES["mul"][0])[0].case
    odd = [
        Verdict(False, "", "values", 0, 7, got=np.ones(3)),
        Verdict(False, "", "values", 9, 0, got="text", expected=[1, 2], grads=(object(),), expected_grads=(None,)),
        Verdict(False, "", "shape", 0, 0, got=np.ones((2, 2, 2, 2)), grads=(None, None), expected_grads=(None,)),
        Verdict(False, "", "no_such_kind"),
        Verdict(False, "", "ties", 0, 0, grads=(np.ones(1),), expected_grads=()),
        Verdict(False, "", "nonfinite", 0, 0, got=np.array([np.nan]), grads=(np.array([np.nan]),)),
    ]
    for verdict in odd:
        assert diagnose(op, Failing(case, verdict)) == Diagnosis()
    monkeypatch.setitem(diagnose_module._BY_KIND, "values", lambda failure, others: 1 / 0)
    assert diagnose(op, Failing(case, Verdict(False, "", "values", 0, 0, got=np.ones(1)))) == Diagnosis()
