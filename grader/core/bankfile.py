"""Save an example `Bank` to one ``.npz`` file and load it back, bit for bit.

Building the bank (drawing every property's examples with Hypothesis and computing the
oracle's expected values, with the finite-difference cross-check) takes seconds; loading it
takes milliseconds. A batch builds it once, saves it next to its results, and every grading
process loads it (or inherits it by fork) instead of rebuilding it.

Format: every array of every example is flattened into one pool per dtype (``pool_float64``,
``pool_int64``), and a JSON index (stored in the same file as the ``uint8`` array ``index``)
says where each array starts, its shape and dtype, and holds the mixing coefficients of the
upstream cases and the family each example was drawn from. Loading uses
``allow_pickle=False``: the file holds only numbers and JSON.
It is trusted data all the same (it holds the expected gradients): only the grader's own
process writes it, never a student process, and it must live where students cannot read it.

The file carries a key, `bank_key`: a hash of the grader's source, the oracle's module (the
hidden solutions), the rubric and the Python (not its build), NumPy and Hypothesis versions. A
file whose key differs, or that cannot be read, loads as None; what happens then (draw and save,
draw for this run, refuse) is the caller's choice, made in one place: context.py. Loading a bank never imports
Hypothesis.
"""

import hashlib
import importlib.util
import json
import math
import multiprocessing
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ..atomic import atomic_file
from .bank import Bank, Example
from .cases import Case
from .oracles import Expected

FORMAT = 2  # 2: each example records the family it was drawn from
GRADER_DIR = Path(__file__).resolve().parent.parent   # the whole grader package: any change draws anew


def hypothesis_version() -> str:
    """The installed Hypothesis's version, read from its dist-info folder's name.

    Neither ``import hypothesis`` (0.3-0.45 s) nor ``importlib.metadata`` (~0.08 s of imports) is
    needed to load a bank; `importlib.metadata` only answers when the folder is not where pip puts it.
    """
    spec = importlib.util.find_spec("hypothesis")
    if spec is None or not spec.submodule_search_locations:
        return "absent"
    site = Path(next(iter(spec.submodule_search_locations))).parent
    found = list(site.glob("hypothesis-*.dist-info"))
    if len(found) == 1:
        return found[0].name[len("hypothesis-"):-len(".dist-info")]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hypothesis")
    except PackageNotFoundError:  # importable, yet no metadata on the path: ask the module itself
        import hypothesis

        return hypothesis.__version__


def bank_key(oracle, rubric) -> str:
    """What the examples and their expected values depend on, hashed."""
    digest = hashlib.sha256(f"bankfile {FORMAT}\n".encode())
    for path in sorted(GRADER_DIR.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(GRADER_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(Path(oracle.module.__file__).read_bytes())
    digest.update(f"\0{oracle.name}\0{rubric!r}\0".encode())
    # Python's version, not its build (sys.version names the compiler and date): two builds of
    # one version draw the same examples, so a bank shipped in a release or an image still loads.
    python = "%d.%d.%d" % sys.version_info[:3]
    digest.update(f"{python}\0{np.__version__}\0{hypothesis_version()}".encode())
    return digest.hexdigest()


def graded_properties(rubric) -> list:
    return [prop for op_key in rubric.points for prop, _ in rubric.graded(op_key)]


class _Pools:
    """Arrays flattened into one growing list per dtype; each array becomes [dtype, offset, shape]."""

    def __init__(self):
        self.chunks, self.sizes = {}, {}

    def add(self, array):
        if array is None:
            return None
        array = np.asarray(array)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"bank arrays must be numeric, not {array.dtype}")
        name = array.dtype.name
        offset = self.sizes.get(name, 0)
        self.chunks.setdefault(name, []).append(array.ravel())
        self.sizes[name] = offset + array.size
        return [name, offset, list(array.shape)]

    def arrays(self) -> dict:
        return {f"pool_{name}": np.concatenate(chunks) for name, chunks in self.chunks.items()}


def save_bank(bank: Bank, path, key: str, props=None) -> None:
    """Write `props` (default: every graded property) to `path`, atomically, building any not yet built."""
    pools, properties = _Pools(), {}
    for prop in graded_properties(bank.rubric) if props is None else props:
        examples = [{
            "inputs": [pools.add(x) for x in example.case.inputs],
            "grad_outs": [pools.add(d) for d in example.case.grad_outs],
            "mix": [float(c) for c in example.case.mix],
            "family": example.case.family,
            "output": pools.add(example.expected.output),
            "grads": [[pools.add(g) for g in call] for call in example.expected.grads],
        } for example in bank.examples(prop)]
        properties[prop.id] = {"dropped": bank.dropped.get(prop.id, 0), "examples": examples}
    index = json.dumps({"format": FORMAT, "key": key, "properties": properties}, separators=(",", ":"))
    arrays = {"index": np.frombuffer(index.encode(), dtype=np.uint8), **pools.arrays()}
    with atomic_file(path) as out:  # np.savez dates every member 1980-01-01: same bank, same bytes
        np.savez(out, **arrays)


def load_bank(path, oracle, rubric, key: str, props=None, into: Bank = None):
    """The bank saved at `path`, or None if it is missing, unreadable, stale or incomplete.

    `props` (default: every graded property) are the properties it must hold; `into` is a bank
    to add them to instead of a new one.
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            index = json.loads(data["index"].tobytes())
            if index.get("format") != FORMAT or index.get("key") != key:
                return None
            pools = {name[len("pool_"):]: data[name] for name in data.files if name.startswith("pool_")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    for pool in pools.values():
        pool.flags.writeable = False  # views of it are shared by every example: nobody may edit one

    def array(ref):
        if ref is None:
            return None
        name, offset, shape = ref
        # math.prod, not np.prod: ~10,000 arrays per bank, and np.prod's overhead was most of a load.
        return pools[name][offset:offset + math.prod(shape)].reshape(shape)

    bank = Bank(oracle, rubric) if into is None else into
    for prop in graded_properties(rubric) if props is None else props:
        stored = index["properties"].get(prop.id)
        if stored is None:
            return None
        bank.store(prop, [Example(
            Case(tuple(array(r) for r in ex["inputs"]), tuple(array(r) for r in ex["grad_outs"]), tuple(ex["mix"]),
                 ex["family"]),
            Expected(array(ex["output"]), tuple(tuple(array(r) for r in call) for call in ex["grads"])),
        ) for ex in stored["examples"]], stored["dropped"])
    return bank


def _build_part(oracle, rubric, props, path, key) -> None:
    bank = Bank(oracle, rubric)
    for prop in props:
        bank.examples(prop)  # drawn here, then stored: save_bank only writes what is drawn
    save_bank(bank, path, key, props)


def build_bank(oracle, rubric, key: str, jobs: int = 1) -> Bank:
    """Every graded property's examples, drawn by `jobs` forked processes at once where forking is safe.

    Drawing is deterministic per property (its own seed), so the bank is the same however the
    properties are split. Each process hands its share back as a bank file, never as a pickle.
    """
    props = graded_properties(rubric)
    jobs = min(jobs, len(props))
    if jobs < 2 or not sys.platform.startswith("linux"):
        bank = Bank(oracle, rubric)
        for prop in props:
            bank.examples(prop)
        return bank
    mp = multiprocessing.get_context("fork")
    bank = Bank(oracle, rubric)
    with tempfile.TemporaryDirectory(prefix="grader-bank-") as folder:
        shares = [(props[i::jobs], os.path.join(folder, f"part{i}.npz")) for i in range(jobs)]
        workers = [mp.Process(target=_build_part, args=(oracle, rubric, share, path, key), daemon=True)
                   for share, path in shares[1:]]
        for worker in workers:
            worker.start()
        for prop in shares[0][0]:  # this process draws its own share meanwhile
            bank.examples(prop)
        for worker in workers:
            worker.join()
        for (share, path), worker in zip(shares[1:], workers):
            if worker.exitcode != 0 or load_bank(path, oracle, rubric, key, share, into=bank) is None:
                for prop in share:  # that process failed: draw its share here
                    bank.examples(prop)
    return bank
