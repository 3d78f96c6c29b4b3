"""The judge's fast path (core/acceptance.py) accepts only what the judge passes, and gives every
example the judge's own verdict.

The idea under test: for any outcome whatever, ``accepted`` implies ``judge(...).passed``, and
``judge_all`` returns what judging one example at a time returns. Checked on every corpus
file's answers (right, wrong, in every ordinary style), on answers Hypothesis perturbs in every
way the judge distinguishes (values, NaN, dtypes, shapes, containers, mutations, state), and
right at each bound: the last float inside a tolerance is accepted, the next one is not.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, snippet_op, with_snippet
from grader.core.acceptance import accepted, judge_all
from grader.core.judge import FORWARD_RTOL, REPEATED_CALL, SELF_RTOL, judge
from grader.ops import OPS
from grader.run.in_process import InProcessRunner
from grader.sandbox.untrusted.calls import Foreign, Returned

OP = {op.key: op for op in OPS}


def facts(verdict) -> tuple:
    return verdict.passed, verdict.reason, verdict.kind, verdict.call, verdict.position, verdict.error


def graded(op, rubric, bank):
    """[(prop, example)] of every graded property of `op`, in grading order."""
    return [(prop, example) for prop, _points in rubric.graded(op.key) for example in bank.examples(prop)]


def outcomes_of(source: str, op, pairs) -> list:
    runner = InProcessRunner(source, "ops.py")
    try:
        return runner.run(op, [example.case for _prop, example in pairs])
    finally:
        runner.close()


def assert_same_verdicts(op, pairs, outcomes, oracle) -> list:
    props, examples = [p for p, _ in pairs], [e for _, e in pairs]
    fast = accepted(props, op, examples, outcomes, oracle.tolerance)
    slow = [judge(prop, op, example.case, example.expected, outcome, oracle)
            for prop, example, outcome in zip(props, examples, outcomes)]
    for ok, verdict, prop in zip(fast, slow, props):
        assert verdict.passed or not ok, f"{prop.id}: accepted, but the judge says: {verdict.reason}"
    both = judge_all(props, op, examples, outcomes, oracle)
    assert [facts(v) for v in both] == [facts(v) for v in slow]
    return fast


def corpus_files():
    files = [("reference", SOLUTION_SOURCE, None)]
    for kind in ("correct", "wrong"):
        files += [(f"{kind}/{p.name}", with_snippet(p), snippet_op(p)) for p in sorted((CORPUS / kind).glob("*.py"))]
    files += [(f"styles/{p.name}", SOLUTION_SOURCE + "\n\n" + p.read_text(encoding="utf-8"), None)
              for p in sorted((ROOT / "tests" / "styles").glob("*.py")) if "# {reference}" not in p.read_text()]
    return files


@pytest.mark.parametrize("name,source,op_key", corpus_files(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_corpus_answer_gets_the_judges_verdict(name, source, op_key, reference, rubric, bank):
    ops = [OP[op_key]] if op_key else OPS
    for op in ops:
        pairs = graded(op, rubric, bank)
        assert_same_verdicts(op, pairs, outcomes_of(source, op, pairs), reference)


def test_the_reference_is_accepted_without_the_judge(reference, rubric, bank):
    """The fast path is used: every right answer of the reference but the ties is accepted."""
    for op in OPS:
        pairs = graded(op, rubric, bank)
        fast = assert_same_verdicts(op, pairs, outcomes_of(SOLUTION_SOURCE, op, pairs), reference)
        wanted = [prop.check != "ties" for prop, _ in pairs]
        assert fast == wanted, op.key


# ----------------------------------------------------------------------- perturbed answers

@pytest.fixture(scope="module")
def right_answers(rubric, bank):
    """{op key: ([(prop, example)], [the reference's outcome])}, for every op."""
    answers = {}
    for op in OPS:
        pairs = graded(op, rubric, bank)
        answers[op.key] = pairs, outcomes_of(SOLUTION_SOURCE, op, pairs)
    return answers


def _arrays(outcome) -> list:
    """Every (call, position) whose entry is an array."""
    return [(call, position) for call, returned in enumerate(outcome.returns)
            for position, entry in enumerate(returned.entries) if isinstance(entry, np.ndarray)]


def _replace_entry(outcome, call, position, value):
    returns = list(outcome.returns)
    entries = list(returns[call].entries)
    entries[position] = value
    returns[call] = Returned(returns[call].container, tuple(entries))
    return dataclasses.replace(outcome, returns=returns)


def _bumped(array, at, delta):
    changed = np.array(array, dtype=np.float64, copy=True)
    if changed.size:
        changed.flat[at % changed.size] += delta
    return changed


PERTURBATIONS = ("value", "nan", "inf", "float32", "int", "complex", "shape", "none", "foreign", "container",
                 "arity", "mutate_input", "mutate_grad_out", "output", "output_int", "output_foreign", "error",
                 "fewer_calls", "whole_call", "same")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True, database=None)
@given(data=st.data())
def test_a_perturbed_answer_gets_the_judges_verdict(data, right_answers, reference):
    op = data.draw(st.sampled_from(OPS), label="op")
    pairs, outcomes = right_answers[op.key]
    chosen = data.draw(st.lists(st.integers(0, len(pairs) - 1), min_size=1, max_size=6, unique=True), label="examples")
    perturbed = []
    for index in chosen:
        outcome = outcomes[index]
        kind = data.draw(st.sampled_from(PERTURBATIONS), label="kind")
        places = _arrays(outcome)
        call, position = data.draw(st.sampled_from(places), label="where") if places else (0, 0)
        entry = outcome.returns[call].entries[position] if places else None
        scale = data.draw(st.sampled_from([0.0, 1e-300, 1e-12, 1e-10, 1e-9, 1e-7, 1e-6, 1e-3, 1.0, 1e3]), label="by")
        at = data.draw(st.integers(0, 10 ** 6), label="at")
        if kind == "value" and places:
            outcome = _replace_entry(outcome, call, position, _bumped(entry, at, scale * (1 + maxabs(entry))))
        elif kind in ("nan", "inf") and places and entry.size:
            outcome = _replace_entry(outcome, call, position, _bumped(entry, at, np.nan if kind == "nan" else np.inf))
        elif kind in ("float32", "int", "complex") and places:
            dtype = {"float32": np.float32, "int": np.int64, "complex": np.complex128}[kind]
            outcome = _replace_entry(outcome, call, position, entry.astype(dtype))
        elif kind == "shape" and places:
            outcome = _replace_entry(outcome, call, position, entry.reshape(-1) if entry.ndim != 1 else entry[None])
        elif kind in ("none", "foreign") and places:
            outcome = _replace_entry(outcome, call, position, None if kind == "none" else Foreign("generator"))
        elif kind == "container" and outcome.returns:
            returns = list(outcome.returns)
            returns[call] = Returned(data.draw(st.sampled_from(["list", "dict", "ndarray"])), returns[call].entries
                                     if returns[call].container != "dict" else ())
            outcome = dataclasses.replace(outcome, returns=returns)
        elif kind == "arity" and outcome.returns:
            returns = list(outcome.returns)
            entries = returns[call].entries
            returns[call] = Returned("tuple", entries[:-1] if data.draw(st.booleans()) else entries + (None,))
            outcome = dataclasses.replace(outcome, returns=returns)
        elif kind == "mutate_input":
            inputs = list(outcome.inputs_after)
            which = at % len(inputs)
            inputs[which] = inputs[which].copy()
            if inputs[which].size:
                inputs[which].flat[at % inputs[which].size] += 1
            outcome = dataclasses.replace(outcome, inputs_after=tuple(inputs))
        elif kind == "mutate_grad_out":
            grad_outs = list(outcome.grad_outs_after)
            which = at % len(grad_outs)
            grad_outs[which] = _bumped(grad_outs[which], at, scale or 1.0)
            outcome = dataclasses.replace(outcome, grad_outs_after=tuple(grad_outs))
        elif kind == "output" and isinstance(outcome.output, np.ndarray):
            bound = FORWARD_RTOL * max(1.0, maxabs(outcome.output))
            outcome = dataclasses.replace(outcome, output=_bumped(outcome.output, at, bound * data.draw(
                st.sampled_from([0.5, 0.999999, 1.0, 1.000001, 2.0]))))
        elif kind == "output_int" and isinstance(outcome.output, np.ndarray):
            outcome = dataclasses.replace(outcome, output=np.rint(outcome.output).astype(np.int64))
        elif kind == "output_foreign":
            outcome = dataclasses.replace(outcome, output=Foreign("list"))
        elif kind == "error":
            outcome = dataclasses.replace(outcome, error="Mul.backward raised ValueError: no (ops.py, line 3)",
                                          returns=outcome.returns[:data.draw(st.integers(0, len(outcome.returns)))])
        elif kind == "fewer_calls":
            outcome = dataclasses.replace(outcome, returns=outcome.returns[:-1])
        elif kind == "whole_call" and outcome.returns:
            factor = 1 + data.draw(st.sampled_from([-1.0, 1e-12, 1e-9, 1e-6, 2e-6, 1e-3]))
            returns = list(outcome.returns)
            returns[call] = Returned(returns[call].container, tuple(
                e * factor if isinstance(e, np.ndarray) else e for e in returns[call].entries))
            outcome = dataclasses.replace(outcome, returns=returns)
        perturbed.append(index)
        outcomes = outcomes[:index] + [outcome] + outcomes[index + 1:]
    window = sorted(set(perturbed) | {max(0, min(perturbed) - 3)})
    start, end = window[0], window[-1] + 1
    assert_same_verdicts(op, pairs[start:end], outcomes[start:end], reference)


def maxabs(array) -> float:
    return float(np.abs(array).max(initial=0.0)) if isinstance(array, np.ndarray) else 0.0


# ----------------------------------------------------------------------- at each bound

def _last_inside(want: float, bound: float) -> tuple:
    """(the largest float g with |g - want| <= bound, the next float above it), as the judge computes."""
    g = want + bound
    while abs(g - want) > bound:
        g = np.nextafter(g, -np.inf)
    while abs(np.nextafter(g, np.inf) - want) <= bound:
        g = np.nextafter(g, np.inf)
    return g, np.nextafter(g, np.inf)


def _with_element(array, flat: int, value):
    changed = np.array(array, dtype=np.float64, copy=True)
    changed.flat[flat] = value
    return changed


def _bound_cases(op, prop, example, outcome, oracle):
    """(name, outcome inside the bound, outcome just past it) for each bound the judge applies here."""
    expected = example.expected
    cases = []
    if outcome.output.size:
        flat = int(np.argmax(np.abs(outcome.output)))
        bound = FORWARD_RTOL * expected.output_scale
        inside, past = _last_inside(float(expected.output.flat[flat]), bound)
        cases.append(("forward", dataclasses.replace(outcome, output=_with_element(outcome.output, flat, inside)),
                      dataclasses.replace(outcome, output=_with_element(outcome.output, flat, past))))
    for call, position in _arrays(outcome):
        want = expected.grads[call][position]
        if not want.size:
            continue
        flat = int(np.argmin(np.abs(want)))   # the judge's bound is set by the largest: keep that one
        bound = expected.tolerance_of(call, position, oracle.tolerance)
        if prop.check == "upstream" and call == 0:
            bound = 1e-10   # grad_out = 0: zeros within 1e-10, stricter than its tolerance
        if prop.check == "upstream" and call == REPEATED_CALL:
            first = outcome.returns[1].entries[position]
            bound = min(bound, SELF_RTOL * maxabs(first) + 1e-10)
        inside, past = _last_inside(float(want.flat[flat]), bound)
        entry = outcome.returns[call].entries[position]
        cases.append((f"call {call}, grad {position}", _replace_entry(outcome, call, position,
                                                                      _with_element(entry, flat, inside)),
                      _replace_entry(outcome, call, position, _with_element(entry, flat, past))))
    return cases


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.key)
def test_the_last_float_inside_each_bound_is_accepted_and_the_next_is_not(op, right_answers, reference):
    pairs, outcomes = right_answers[op.key]
    seen = set()
    for (prop, example), outcome in zip(pairs, outcomes):
        if prop.check == "ties" or (prop.check, example.case.family) in seen:
            continue
        seen.add((prop.check, example.case.family))
        for name, inside, past in _bound_cases(op, prop, example, outcome, reference):
            inside_verdict = judge(prop, op, example.case, example.expected, inside, reference)
            past_verdict = judge(prop, op, example.case, example.expected, past, reference)
            fast = accepted([prop, prop], op, [example, example], [inside, past], reference.tolerance)
            assert_same_verdicts(op, [(prop, example)] * 2, [inside, past], reference)
            if inside_verdict.passed and not past_verdict.passed:   # a bound that decides here
                assert fast == [True, False], f"{prop.id} {name}"


# ----------------------------------------------------------------------- infinite bounds

def _first(pairs, wanted):
    return next((index for index, (prop, example) in enumerate(pairs) if wanted(prop, example)), None)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.key)
def test_an_infinite_first_answer_is_left_to_the_judge(op, right_answers, reference):
    """no_mutation on another family compares the second call with the first, and an infinite first
    answer makes SELF_RTOL * max|first| infinite: a bound that would admit anything."""
    pairs, outcomes = right_answers[op.key]
    index = _first(pairs, lambda prop, example: prop.check == "no_mutation"
                   and example.case.family != op.base_family)
    if index is None:
        pytest.skip(f"{op.key} draws no_mutation on its base family only")
    (call, position), *_ = _arrays(outcomes[index])
    first = outcomes[index].returns[0].entries[position]
    broken = _replace_entry(outcomes[index], 0, position, _with_element(first, 0, np.inf))
    fast = assert_same_verdicts(op, [pairs[index]], [broken], reference)
    assert fast == [False]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.key)
def test_an_infinite_tolerance_admits_no_infinite_gradient(op, right_answers, reference):
    """An expected gradient with an inf in it has an infinite tolerance; the judge still refuses a
    gradient with NaN or inf in it, and so must the fast path."""
    pairs, outcomes = right_answers[op.key]
    index = _first(pairs, lambda prop, example: prop.check == "gradient"
                   and any(g is not None and np.size(g) > 1 for g in example.expected.grads[0]))
    prop, example = pairs[index]
    position = next(p for p, g in enumerate(example.expected.grads[0]) if g is not None and np.size(g) > 1)
    grads = list(example.expected.grads[0])
    grads[position] = _with_element(grads[position], 0, np.inf)
    expected = type(example.expected)(example.expected.output, (tuple(grads),) + example.expected.grads[1:])
    changed = dataclasses.replace(example, expected=expected)
    entry = outcomes[index].returns[0].entries[position]
    for value in (np.inf, np.nan):
        broken = _replace_entry(outcomes[index], 0, position, _with_element(entry, 1, value))
        assert assert_same_verdicts(op, [(prop, changed)], [broken], reference) == [False]
