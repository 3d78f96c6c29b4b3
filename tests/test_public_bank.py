"""The public checks' bank (grader/core/public_bank.py): shipped in a release, else cached, else drawn.

The released `pytest` must not draw the 1,360 public examples on every run (6 s of 6.65 s):
a release ships the bank its clones compute, wherever they are cloned; a checkout whose key
differs draws once and caches; every way gives the same examples and expected values.
"""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from grader.core import public_bank
from grader.core.bankfile import bank_key, save_bank
from grader.core.context import GradingContext, public_oracle
from grader.instructor.release import build_release
from grader.ops import load_rubric, registry

SMALL = "[grading]\nseed = 1\nexamples_per_property = 3\n\n[points.mul]\nsame_shape = 1\nscalar = 1\n"

# Run in a clone of the release, with its own grader package: every public example checked.
CHECK_ALL = """
import json, sys
sys.path.insert(0, sys.argv[1])
from grader.core.context import GradingContext
from grader.ops import registry
course = registry.select()
context = GradingContext.public(course, course.rubric())
props = [p for key in context.rubric.points for p, _ in context.rubric.graded(key)]
count = sum(len(context.bank.examples(p)) for p in props)
print(json.dumps({"examples": count, "hypothesis": "hypothesis" in sys.modules}))
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return load_rubric(path)


@pytest.fixture
def oracle():
    return public_oracle(registry.builtin().given())


def arrays(bank, rubric):
    """Every array of every example of the bank, in order."""
    out = []
    for key in rubric.points:
        for prop, _ in rubric.graded(key):
            for example in bank.examples(prop):
                out += [*example.case.inputs, *example.case.grad_outs, example.expected.output,
                        *[g for call in example.expected.grads for g in call if g is not None]]
    return out


@pytest.mark.slow
def test_a_clone_of_a_release_checks_every_example_without_drawing_one(tmp_path):
    out = build_release(tmp_path / "release")
    assert (out / "grader" / "public_bank.npz").is_file()
    clone = shutil.copytree(out, tmp_path / "elsewhere" / "clone")  # the key holds no path
    shutil.rmtree(out)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-I", "-c", CHECK_ALL, str(clone)], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {"examples": 1360, "hypothesis": False}  # drawing imports Hypothesis
    assert not (tmp_path / "cache").exists()  # nothing drawn, so nothing cached


def test_a_stale_shipped_bank_is_drawn_once_cached_and_the_same(tmp_path, monkeypatch, oracle, small):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shipped = tmp_path / "public_bank.npz"
    save_bank(GradingContext.build(oracle, small).bank, shipped, "another key")  # drawn for another setup
    monkeypatch.setattr(public_bank, "SHIPPED", shipped)
    drawn = public_bank.public_bank(oracle, small)
    assert [p.name for p in (tmp_path / "cache" / "backprop-grader").iterdir()] == [
        f"public-bank-{bank_key(oracle, small)[:16]}.npz"]

    def no_drawing(*args, **kwargs):
        raise AssertionError("the cached bank should have been loaded")

    monkeypatch.setattr(public_bank, "build_bank", no_drawing)
    cached = public_bank.public_bank(oracle, small)
    in_memory = GradingContext.build(oracle, small).bank  # what the public checks drew before
    for ours, theirs in ((drawn, in_memory), (cached, in_memory)):
        pairs = list(zip(arrays(ours, small), arrays(theirs, small), strict=True))
        assert pairs and all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in pairs)


def test_with_no_cache_folder_the_examples_are_drawn_in_memory(tmp_path, monkeypatch, oracle, small):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # the cache folder cannot be made
    monkeypatch.setattr(public_bank, "SHIPPED", tmp_path / "none.npz")
    assert public_bank.public_bank(oracle, small) is None
    context = GradingContext.public(registry.builtin(), small)
    assert context.bank_path == "" and arrays(context.bank, small)


@pytest.mark.slow
def test_a_release_ships_the_capstones_cases_so_its_pytest_draws_none(tmp_path):
    """The students' test_graph.py reads the capstone's cases from the release (cache.SHIPPED), as
    the op checks read public_bank.npz: a first run in a fresh clone draws nothing and caches nothing."""
    out = build_release(tmp_path / "release")
    assert list((out / "grader" / "ops" / "capstone" / "shipped_cases").glob("capstone-cases-*.json"))
    for name in ("ops.py", "graph.py"):
        shutil.copy(ROOT / "solutions" / "backprop" / name, out / "backprop" / name)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(out)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/test_graph.py"], cwd=out, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list((tmp_path / "cache").rglob("capstone-cases-*"))
