"""Similar ``backward`` bodies across a class, op by op, with copydetect's winnowing.

copydetect (https://github.com/blingenf/copydetect, after Schleimer, Wilkerson and Aiken,
"Winnowing: local algorithms for document fingerprinting", SIGMOD 2003) tokenizes Python with
Pygments and replaces every name by ``V``, every function name by ``F`` and every string by
``S``, dropping whitespace and comments; a fingerprint is the hash of ``k`` consecutive
characters of that text. So renamed variables, changed comments and blank lines change no
fingerprint, and reordered statements keep every fingerprint inside a statement.

What is compared is each op's body (bodies.py), never the whole file, so that a pair flagged on
an op shows that op's two bodies side by side. Three things never count:

* boilerplate (as copydetect's boilerplate option means it; removed in `_fingerprint`): every
  fingerprint of the starter file (``assignments/backprop/ops.py``: the stubs, their docstrings,
  ``raise NotImplementedError``) and of the given ``forward`` methods of the reference, also with each argument read from
  ``self`` as ``backward`` reads it (``self.logits``), so an untouched stub or a line of
  ``forward`` reused in ``backward`` is no evidence;
* a fingerprint found in the bodies of more than a share `COMMON` of the class for that op (and
  of more than 3 students), as MOSS's ``-m`` option ignores a passage found in too many files ("a passage of code that appears in many programs is probably legitimate
  sharing", http://theory.stanford.edu/~aiken/moss/): the idiom everybody writes is no evidence;
* a body shorter than `MIN_CHARACTERS` characters of normalized text, once boilerplate is out:
  ``return grad_out @ self.b.T, self.a.T @ grad_out`` is what any two honest students write.

A pair is flagged when the shared fingerprints cover at least `THRESHOLD` of *each* body
(copydetect's similarity, computed for both sides). Winnowing keeps every fingerprint
(window 1): the bodies are short, and the minimum over a window depends on Python's per-process
string hash, which would make the report differ from run to run.

Calibration (tests/test_integrity.py checks the two end figures). Over the kit's independent
correct implementations, each snippet of tests/corpus/correct/ and the reference, op by op, the
highest similarity of a pair is 0.61 (a padded keepdims sum against the reference's own helper,
both one keepdims sum over the size-1 axes); the other ops' highest pairs lie between 0.00 and
0.49. Over the copies of tests/integrity/copies/
(renamed, reordered, recommented, re-spaced, a useless line added), each against its source, the
lowest is 0.86 (a loss renamed with its first two statements swapped); five of seven
are 1.00. `THRESHOLD` sits between the two. k = 15 separates best: with k = 12 the honest
highest was 0.69, with k = 18 a reordered copy fell to 0.73.
"""

import ast
import io
import re
from dataclasses import dataclass
from functools import cache

from ...ops import OPS

K = 15                  # characters of normalized text per fingerprint
THRESHOLD = 0.75        # share of each body covered by fingerprints the other has
MIN_CHARACTERS = 40     # normalized characters, boilerplate excluded, for a body to be compared
COMMON = 0.5            # a fingerprint shared by more than this share of the bodies (and 3) is common


@dataclass(frozen=True)
class Pair:
    """Two students whose bodies for one op share most of their fingerprints."""
    op: str
    first: str              # student ids, first < second
    second: str
    similarity: tuple       # (share of first's body, share of second's body) that the other has
    shared: tuple           # (first's slices, second's slices): [(start, end)] in each body's text


@dataclass(frozen=True)
class OpSimilarity:
    op: str
    compared: tuple         # ids whose body was long enough to compare
    too_short: tuple        # ids whose body was too short (or all boilerplate)
    pairs: tuple            # flagged Pairs, most similar first
    highest: float          # the highest pair similarity among compared bodies (0 if none)


def _fingerprint(name: str, text: str, boilerplate=frozenset()):
    """copydetect's fingerprint of `text`, every k-gram kept, without the `boilerplate` hashes."""
    from copydetect import CodeFingerprint
    from copydetect.utils import get_token_coverage

    fingerprint = CodeFingerprint(name, K, 1, language="python", fp=io.StringIO(text))
    if boilerplate:
        # Not CodeFingerprint(boilerplate=...): copydetect 0.5.0 finds boilerplate with
        # np.intersect1d(..., assume_unique=True) on a list that repeats every k-gram a body
        # repeats, so any boilerplate at all also drops those repeats (unbroadcasting grad_a and
        # grad_b alike lost 9% of a body). The same removal, on the positions of each hash:
        fingerprint.hash_idx = {value: at for value, at in fingerprint.hash_idx.items() if value not in boilerplate}
        fingerprint.hashes = set(fingerprint.hash_idx)
        fingerprint.token_coverage = get_token_coverage(fingerprint.hash_idx, K, len(fingerprint.filtered_code))
    return fingerprint


@cache
def boilerplate_sources() -> tuple:
    """The starter file and the reference's ``forward`` methods: code every student was given."""
    from ...paths import given_path, solutions_path

    sources = [given_path().read_text(encoding="utf-8")]
    reference = solutions_path().read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(reference)):
        if isinstance(node, ast.FunctionDef) and node.name == "forward":
            text = ast.get_source_segment(reference, node)
            sources.append(text)
            for parameter in [argument.arg for argument in node.args.args[1:]]:  # as backward reads it
                text = re.sub(rf"(?<![.\w]){parameter}\b", f"self.{parameter}", text)
            sources.append(text)
    return tuple(sources)


def boilerplate_hashes() -> frozenset:
    hashes = set()
    for number, text in enumerate(boilerplate_sources()):
        hashes |= _fingerprint(f"boilerplate{number}.py", text).hashes
    return frozenset(hashes)


def compare_op(op: str, bodies: dict, boilerplate: frozenset) -> OpSimilarity:
    """Pairs among {student id: body text} for one op (see the module docstring)."""
    from copydetect import compare_files

    ids = sorted(bodies)
    prints = {sid: _fingerprint(f"{sid}.py", bodies[sid], boilerplate) for sid in ids}
    counts = {}
    for sid in ids:
        for value in prints[sid].hashes:
            counts[value] = counts.get(value, 0) + 1
    common = {value for value, count in counts.items() if count > max(3, COMMON * len(ids))}
    if common:
        prints = {sid: _fingerprint(f"{sid}.py", bodies[sid], boilerplate | common) for sid in ids}
    compared = [sid for sid in ids if prints[sid].token_coverage >= MIN_CHARACTERS]
    pairs, highest = [], 0.0
    for i, first in enumerate(compared):
        for second in compared[i + 1:]:
            _, shares, slices = compare_files(prints[first], prints[second])
            share = min(float(shares[0]), float(shares[1]))
            highest = max(highest, share)
            if share >= THRESHOLD:
                pairs.append(Pair(op, first, second, (float(shares[0]), float(shares[1])),
                                  tuple(_spans(part) for part in slices)))
    pairs.sort(key=lambda pair: (-min(pair.similarity), pair.first, pair.second))
    too_short = tuple(sid for sid in ids if sid not in compared)
    return OpSimilarity(op, tuple(compared), too_short, tuple(pairs), highest)


def _spans(slices) -> tuple:
    return tuple((int(start), int(end)) for start, end in zip(*slices)) if len(slices) else ()


def similarity(bodies_by_student: dict, boilerplate=None) -> list:
    """[OpSimilarity] for every op, from {student id: {op key: body text}}."""
    boilerplate = boilerplate_hashes() if boilerplate is None else boilerplate
    results = []
    for op in OPS:
        bodies = {sid: bodies[op.key] for sid, bodies in bodies_by_student.items() if op.key in bodies}
        results.append(compare_op(op.key, bodies, boilerplate))
    return results
