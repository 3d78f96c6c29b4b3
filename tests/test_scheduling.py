"""tests/scheduling.py, on a small suite of its own run as `make test` runs the real one."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

CONFTEST = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from scheduling import pytest_collection_modifyitems


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: slow")
    config.addinivalue_line("markers", "xdist_group(name): group")
"""

# Six tests share a module fixture; each records which worker ran it, the fixture which worker
# built it. Tests alone come before them and a slow one last, in the file's order.
SUITE = '''
import os
import time
from pathlib import Path

import pytest

RECORDS = Path(__file__).parent / "records"


def record(kind, name):
    with open(RECORDS / f"{kind}-{name}-{os.environ.get('PYTEST_XDIST_WORKER', 'serial')}", "w"):
        pass


def test_alone_first():
    time.sleep(0.3)


@pytest.fixture(scope="module")
def built():
    record("built", "fixture")


@pytest.mark.parametrize("n", range(6))
def test_shared(built, n):
    record("ran", f"shared{n}")
    time.sleep(0.3)


@pytest.mark.parametrize("n", range(4))
def test_alone(n):
    time.sleep(0.3)


@pytest.mark.slow
def test_slow_alone():
    time.sleep(0.3)
'''


def make_suite(folder: Path) -> Path:
    (folder / "records").mkdir(parents=True)
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "test_small.py").write_text(SUITE)
    return folder


def pytest_run(folder: Path, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=folder,
                          env=env, capture_output=True, text=True, timeout=300)


def test_expensive_units_are_collected_first_and_the_rest_keeps_its_order(tmp_path):
    run = pytest_run(make_suite(tmp_path), "--collect-only")
    assert run.returncode == 0, run.stdout + run.stderr
    names = [line.split("::")[1] for line in run.stdout.splitlines() if "::" in line]
    assert names == ["test_slow_alone", *(f"test_shared[{n}]" for n in range(6)), "test_alone_first",
                     *(f"test_alone[{n}]" for n in range(4))]


def test_tests_sharing_a_module_fixture_run_in_one_worker_which_builds_it_once(tmp_path):
    pytest.importorskip("xdist")
    folder = make_suite(tmp_path)
    run = pytest_run(folder, "-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder")
    assert run.returncode == 0, run.stdout + run.stderr
    records = sorted(path.name for path in (folder / "records").iterdir())
    built = [name for name in records if name.startswith("built-")]
    assert len(built) == 1, records  # split between the workers, each would build it
    worker = built[0].rsplit("-", 1)[1]
    assert worker.startswith("gw")
    assert records == sorted(built + [f"ran-shared{n}-{worker}" for n in range(6)])
