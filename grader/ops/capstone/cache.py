"""The capstone's cases, drawn once and kept: grading from the file never imports Hypothesis.

As for the ops' bank (grader/core/bankfile.py), the cases are what Hypothesis draws from the rubric's
seed, so they are the same for every submission; only their structure and seeds are stored
(JSON), never an expected value: the answers are recomputed from them (dags.exact_grads, the
oracle). The file's name carries a key over what decides the draw (the rubric's seed, the counts,
Hypothesis's version and the source of the strategies), so a change draws afresh. Without a
writable cache folder the cases are drawn in memory, the same cases.
"""

import hashlib
import json
from pathlib import Path

from ...atomic import atomic_file
from ...paths import cache_dir
from .dags import GraphCase
from .network import NetCase

NETWORK = "network"
# A Gradescope bundle's copy of the cases file, drawn when the bundle is built (a container is
# fresh for every submission, so its cache folder is always empty): `shipped_file`.
SHIPPED = Path(__file__).with_name("shipped_cases")


def _hypothesis_version() -> str:
    from ...core.bankfile import hypothesis_version

    return hypothesis_version()


def _key(rubric, counts: dict) -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256(json.dumps([rubric.seed, sorted(counts.items()), _hypothesis_version()]).encode())
    for name in ("strategies.py", "dags.py", "network.py", "cache.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _draw(name: str, count: int, seed: int) -> list:
    from hypothesis import given
    from hypothesis import seed as fix_seed

    from ...core.bank import blind_to_loaded_source, hypothesis_settings
    from . import strategies

    drawn = []
    strategy = strategies.SIZES if name == NETWORK else strategies.FAMILIES[name]

    @hypothesis_settings(count)
    @fix_seed(seed)
    @given(strategy)
    def collect(case):
        drawn.append(case)

    with blind_to_loaded_source():  # the cases depend on the seed alone (core/bank.py)
        collect()
    return drawn


def _encode(case) -> dict:
    if isinstance(case, NetCase):
        return {"net": [case.batch, case.tokens, case.vocab, case.dim, case.seed]}
    return {"integer": list(case.integer), "sizes": list(case.sizes), "bounds": list(case.bounds),
            "nodes": [[list(inputs), pre] for inputs, pre in case.nodes], "seed": case.seed, "steps": case.steps}


def _decode(data: dict):
    if "net" in data:
        return NetCase(*data["net"])
    return GraphCase(tuple(data["integer"]), tuple(data["sizes"]), tuple(data["bounds"]),
                     tuple((tuple(inputs), pre) for inputs, pre in data["nodes"]), data["seed"], data["steps"])


def cases(rubric, counts: dict, seeds: dict) -> dict:
    """{name: [case, ...]} for every name in `counts` (a family, or "network")."""
    file_name = f"capstone-cases-{_key(rubric, counts)}.json"   # a stale shipped file has another name
    path = cache_dir() / file_name
    for stored_at in (SHIPPED / file_name, path):
        try:
            stored = json.loads(stored_at.read_text(encoding="utf-8"))
            return {name: [_decode(c) for c in stored[name]] for name in counts}
        except (OSError, ValueError, KeyError, TypeError):
            continue
    drawn = {name: _draw(name, count, seeds[name]) for name, count in counts.items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with atomic_file(path) as out:
            out.write(json.dumps({name: [_encode(c) for c in batch] for name, batch in drawn.items()}).encode())
    except OSError:
        pass   # no writable cache: drawn again next time
    return drawn


def shipped_file(rubric, counts: dict, seeds: dict) -> tuple:
    """(path inside the grader package, bytes) of the cases file a bundle ships, so that grading
    there reads its cases instead of importing Hypothesis to draw them. Structure and seeds only:
    no expected value, nothing the public tests do not draw themselves."""
    drawn = cases(rubric, counts, seeds)
    data = json.dumps({name: [_encode(c) for c in drawn[name]] for name in counts}).encode()
    return f"grader/ops/capstone/{SHIPPED.name}/capstone-cases-{_key(rubric, counts)}.json", data
