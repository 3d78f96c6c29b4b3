"""The released assignment's pytest runs without Hypothesis's pytest plugin (release.py's addopts):
loading it imported Hypothesis on every run (~0.3 s of a student's ~1.2 s), and the checks never
need it. Structural, not timed: Hypothesis stays unimported, and a failing file's report (its
minimal examples, reasons and likely mistakes) reads the same as with the plugin.
"""

import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from grader.instructor.release import build_release

PROBE = """
import sys, pytest
code = pytest.main(sys.argv[1:])
print("hypothesis imported:", "hypothesis" in sys.modules)
"""


@pytest.fixture(scope="module")
def broken_release(tmp_path_factory):
    out = build_release(tmp_path_factory.mktemp("release") / "backprop-homework")
    shutil.copy(ROOT / "tests" / "samples" / "broken" / "ops.py", out / "backprop" / "ops.py")
    shutil.copy(ROOT / "solutions" / "backprop" / "graph.py", out / "backprop" / "graph.py")
    return out


def released_pytest(release, *options) -> str:
    env = {"PYTHONPATH": str(release), "PATH": "/usr/bin:/bin", "XDG_CACHE_HOME": str(release.parent / "cache")}
    result = subprocess.run([sys.executable, "-c", PROBE, "-q", "-p", "no:randomly", *options], cwd=release,
                            env=env, capture_output=True, text=True, timeout=600)
    assert "failed" in result.stdout and "passed" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
    return re.sub(r" in [0-9.]+s", "", result.stdout)


def test_the_released_pytest_imports_no_hypothesis_and_reports_as_with_its_plugin(broken_release):
    first = released_pytest(broken_release)   # a first run draws and caches the capstone's cases
    without = released_pytest(broken_release)
    assert without == first.replace("imported: True", "imported: False")
    assert "hypothesis imported: False" in without
    with_plugin = released_pytest(broken_release, "-o", "addopts=-p no:cacheprovider")
    assert "hypothesis imported: True" in with_plugin
    assert "Minimal failing example" in without
    assert without.replace("imported: False", "imported: True") == with_plugin
