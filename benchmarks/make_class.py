"""A generated class of submissions, correct and broken, for the throughput benchmark.

Every student is a folder ``<id>/ops.py`` (the layout both ``grader batch`` and a module-based
nbgrader course read). The files come from the kit's own material: the reference solution,
the tests/corpus snippets (one class overridden by a correct alternative or a classic mistake),
the stubs, the broken sample, and a file that does not compile. Deterministic for a seed.

Mix, per 20 students: 5 correct (reference or a correct alternative), 9 with one classic
mistake, 2 with two mistakes in different ops, 2 untouched stubs, 1 broken sample, 1 syntax error.

Every student also hands in the capstone's ``graph.py`` beside ``ops.py`` (handout section 5), so
both sides of the benchmark grade it: per 7 students, 2 the reference's walker, 2 a correct
alternative and 3 a wrong walker (tests/capstone_corpus, each prepended with the given tape). The
graph files are drawn from a generator of their own, so the ops' files are those of before.
"""

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SOLUTION = (ROOT / "solutions" / "backprop" / "ops.py").read_text(encoding="utf-8")
STUBS = (ROOT / "assignments" / "backprop" / "ops.py").read_text(encoding="utf-8")
BROKEN = (ROOT / "tests" / "samples" / "broken" / "ops.py").read_text(encoding="utf-8")
WRONG = sorted((CORPUS / "wrong").glob("*.py"))
RIGHT = sorted((CORPUS / "correct").glob("*.py"))

CAPSTONE = ROOT / "tests" / "capstone_corpus"
GRAPH = (ROOT / "solutions" / "backprop" / "graph.py").read_text(encoding="utf-8")
GIVEN_TAPE = GRAPH[:GRAPH.index("def backward(loss):")]
WALKERS = {"correct": sorted((CAPSTONE / "correct").glob("*.py")), "wrong": sorted((CAPSTONE / "wrong").glob("*.py"))}

PLAN = ["correct"] * 5 + ["one_wrong"] * 9 + ["two_wrong"] * 2 + ["stubs"] * 2 + ["broken", "syntax_error"]


def _with(*snippets) -> str:
    return SOLUTION + "".join("\n\n" + path.read_text(encoding="utf-8") for path in snippets)


def submission(kind: str, rng: random.Random) -> str:
    if kind == "correct":
        return _with(rng.choice(RIGHT)) if rng.random() < 0.6 else SOLUTION
    if kind == "one_wrong":
        return _with(rng.choice(WRONG))
    if kind == "two_wrong":
        first = rng.choice(WRONG)
        second = rng.choice([p for p in WRONG if p.name.split("__")[0] != first.name.split("__")[0]])
        return _with(first, second)
    if kind == "stubs":
        return STUBS
    if kind == "broken":
        return BROKEN
    return SOLUTION.replace("def backward(self, grad_out):", "def backward(self, grad_out)", 1)


GRAPH_PLAN = ["reference"] * 2 + ["correct"] * 2 + ["wrong"] * 3


def graph_submission(kind: str, rng: random.Random) -> str:
    return GRAPH if kind == "reference" else GIVEN_TAPE + rng.choice(WALKERS[kind]).read_text(encoding="utf-8")


def make_class(folder: Path, count: int, seed: int = 0) -> dict:
    """Write `count` students (ops.py and graph.py each) into `folder`; returns {student id: kind},
    the kind of their ops.py."""
    rng, graph_rng = random.Random(seed), random.Random(seed + 1)
    kinds = {}
    for index in range(count):
        kind = PLAN[index % len(PLAN)]
        sid = f"student{index:04d}"
        (folder / sid).mkdir(parents=True, exist_ok=True)
        (folder / sid / "ops.py").write_text(submission(kind, rng), encoding="utf-8")
        (folder / sid / "graph.py").write_text(graph_submission(GRAPH_PLAN[index % len(GRAPH_PLAN)], graph_rng),
                                               encoding="utf-8")
        kinds[sid] = kind
    return kinds
