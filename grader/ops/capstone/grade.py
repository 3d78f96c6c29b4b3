"""Grade the capstone: graph logic on the grader's own ops, then the network and its training.

Graph properties (properties.py) run the student's ``backward``/``sgd_step`` on random DAGs of
the grader's linear ops (dags.py), so they depend on the student's graph code only: an op bug
never costs them. The milestone runs the given network on the student's ops and tape: it fails
on an op bug or a graph bug, and its table shows which gradient is wrong first.
"""

from dataclasses import dataclass, field

import numpy as np

from ...core.grade import CheckResult
from . import dags, network as net
from .cache import NETWORK, cases as cached_cases, shipped_file
from .diagnose import graph_mistake
from .judge import judge_case
from .properties import GRAPH_PROPERTIES, MILESTONE
from . import KEY
from .runner import run_requests



EXAMPLES = {"deep": 4}      # examples per graph property (default below): each is a whole walk
DEFAULT_EXAMPLES = 10
NETWORK_EXAMPLES = 4
THRESHOLD = 0.1             # final training loss to reach (the reference reaches 0.038 in network.STEPS)
TRAIN = 2                   # harness.TRAIN


@dataclass
class CapstoneScore:
    score: float
    max_score: float
    checks: list = field(default_factory=list)
    table: list = field(default_factory=list)         # network.Row, the first failing case (else the first)
    curve: list = field(default_factory=list)         # the student's training losses
    reference_curve: list = field(default_factory=list)
    threshold: float = THRESHOLD
    error: str = ""                                   # why nothing could run ("" if it could)
    student_output: str = ""                          # what the student's code printed (shown as text)


def _seed(rubric, name: str) -> int:
    import zlib

    return (rubric.seed * 1_000_003 + zlib.crc32(f"capstone.{name}".encode())) % 2**32


_DRAWN = {}   # rubric seed -> the cases: a batch's process reads the cache file once


def _counts_and_seeds(rubric) -> tuple:
    counts = {name: EXAMPLES.get(name, DEFAULT_EXAMPLES) for name in GRAPH_PROPERTIES}
    counts[NETWORK] = NETWORK_EXAMPLES
    return counts, {name: _seed(rubric, name) for name in counts}


def draw_all(rubric) -> dict:
    """Every family's cases and the network's sizes, from the rubric's seed (cached: cache.py)."""
    if rubric.seed not in _DRAWN:
        _DRAWN[rubric.seed] = cached_cases(rubric, *_counts_and_seeds(rubric))
    return _DRAWN[rubric.seed]


def shipped_cases(rubric) -> tuple:
    """(path in the grader package, bytes): the cases file a Gradescope bundle ships (cache.py)."""
    return shipped_file(rubric, *_counts_and_seeds(rubric))


def describe_graph(case) -> str:
    """The failing graph, one tensor a line: what the student can rebuild by hand."""
    lines = []
    for i in range(case.leaves):
        kind = "integer leaf" if case.integer[i] else "leaf"
        lines.append(f"  {case.name(i)}: {kind}, {case.sizes[i]} entries")
    for number, (inputs, _) in enumerate(case.nodes):
        out = case.leaves + number
        args = ", ".join(case.name(i) for i in inputs)
        lines.append(f"  {case.name(out)} = Linear({args})" + ("   <- the loss" if out == case.count - 1 else ""))
    return "\n".join(lines)


def score_graph_property(name, points, cases, replies) -> CheckResult:
    result = CheckResult(name, 0.0, float(points), False, GRAPH_PROPERTIES[name], examples=len(cases))
    failures = [(case, reply, verdict) for case, reply in zip(cases, replies)
                if not (verdict := judge_case(case, reply)).passed]
    if not failures:
        result.passed, result.points = True, float(points)
        return result
    kind = failures[0][2].kind
    case, reply, verdict = min((f for f in failures if f[2].kind == kind), key=lambda f: (f[0].count, f[0].seed))
    sentence, mistake = graph_mistake(case, verdict, reply.entries) if not reply.error else ("", "")
    result.reason, result.kind, result.diagnosis, result.mistake = verdict.reason, verdict.kind, sentence, mistake
    result.feedback = "\n".join(filter(None, [verdict.reason, sentence, "The graph (every node is the grader's "
                                              "own linear op, surely right):", describe_graph(case)]))
    return result


def graph_requests(rubric, points: dict) -> tuple:
    """([(name, points)], [cases per property], [request]) of the graded graph properties."""
    chosen = [(name, points[name]) for name in GRAPH_PROPERTIES if points.get(name, 0) > 0]
    drawn = draw_all(rubric)
    batches = [drawn[name] for name, _ in chosen]
    return chosen, batches, [dags.request(case) for batch in batches for case in batch]


def grade_graph(chosen, batches, replies) -> list:
    """The graph properties, from their replies."""
    results, at = [], 0
    for (name, pts), batch in zip(chosen, batches):
        results.append(score_graph_property(name, pts, batch, replies[at:at + len(batch)]))
        at += len(batch)
    return results


def milestone_requests(rubric, reference_curve) -> tuple:
    """(the network's cases, [request]): each case's gradients, then one training run."""
    cases = draw_all(rubric)[NETWORK]
    return cases, [net.request(case) for case in cases] + [(np.array([TRAIN, len(reference_curve)]), [])]


def grade_milestone(cases, replies, points: float, oracle_grads, reference_curve, score: CapstoneScore,
                    mistaken_curves=None):
    """Network gradients on drawn sizes (against `oracle_grads(case)`), then training; a curve that
    fails is compared with the curves a known mistake draws (`mistaken_curves()`)."""
    result = CheckResult("milestone", 0.0, float(points), False, MILESTONE["milestone"], examples=len(cases) + 1)
    problem = ""
    for case, reply in zip(cases, replies):
        if reply.error:
            problem = reply.error
            break
        want = oracle_grads(case)
        got = dict(zip(net.TENSOR_NAMES, reply.entries))
        rows = net.compare(net.TENSOR_NAMES, reply.entries, want)
        if not score.table:
            score.table = rows
        if not all(row.ok for row in rows):
            score.table = rows
            sentence, mistake, op = net.explain(rows, got, want, case, all(c.passed for c in score.checks))
            result.diagnosis, result.mistake = sentence, mistake
            problem = (f"the network's gradients are wrong (B={case.batch}, T={case.tokens}, V={case.vocab}, "
                       f"D={case.dim}): first wrong in backward order: "
                       f"{next(row.name for row in rows if not row.ok)}")
            break
    training = replies[-1]
    if training.error:
        problem = problem or training.error
    elif training.entries and isinstance(training.entries[0], np.ndarray):
        score.curve = [float(v) for v in np.ravel(training.entries[0])[:len(reference_curve)]]
    final = score.curve[-1] if len(score.curve) == len(reference_curve) and np.all(np.isfinite(score.curve)) \
        else float("nan")
    if not problem and not final <= score.threshold:
        problem = (f"training did not reach the threshold: final loss {final:.4g} after {len(reference_curve)} "
                   f"steps, needed <= {score.threshold:g} (the reference reaches {reference_curve[-1]:.3g})")
        for mistake, curve in (mistaken_curves() if mistaken_curves else {}).items():
            if len(curve) == len(score.curve) and np.allclose(score.curve, curve, rtol=1e-6, atol=1e-9):
                result.mistake = mistake
                result.diagnosis = ("Likely mistake: the gradients were not zeroed between steps: your curve is the "
                                    "one the reference draws when sgd_step does not reset p.grad, because each "
                                    "step's gradient is then the sum of all the steps so far.")
    result.reason, result.kind = problem, ("" if not problem else "milestone")
    result.feedback = "\n".join(filter(None, [problem, result.diagnosis]))
    result.passed = not problem
    result.points = float(points) if result.passed else 0.0
    return result


def grade_capstone(runner, rubric, oracle_grads, reference_curve, mistaken_curves=None,
                   ops_error: str = "") -> CapstoneScore:
    """The capstone's score: every request (graph cases, network cases, training) in one runner call.
    `ops_error`: why the student's ops.py does not load (`runner` then holds the graph code alone):
    the milestone, which runs on those ops, fails saying so; the graph properties are graded as ever."""
    points = rubric.parts.get(KEY, {})
    score = CapstoneScore(0.0, float(sum(points.values())), reference_curve=list(reference_curve))
    chosen, batches, requests = graph_requests(rubric, points)
    graded_milestone = points.get("milestone", 0) > 0
    cases, milestone = milestone_requests(rubric, reference_curve) if graded_milestone and not ops_error else ([], [])
    before = runner.captured_output   # the ops' output, already in their own report
    replies = run_requests(runner, requests + milestone)
    score.checks = grade_graph(chosen, batches, replies[:len(requests)])
    if graded_milestone and ops_error:
        score.checks.append(CheckResult("milestone", 0.0, float(points["milestone"]), False, MILESTONE["milestone"],
                                        reason=ops_error, feedback=ops_error, kind="error"))
    if milestone:
        score.checks.append(grade_milestone(cases, replies[len(requests):], points["milestone"], oracle_grads,
                                            reference_curve, score, mistaken_curves))
    score.score = sum(check.points for check in score.checks)
    after = runner.captured_output
    score.student_output = after[len(before):] if after.startswith(before) else after
    return score
