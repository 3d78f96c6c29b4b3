"""Where the trusted modules live: the hidden reference and the pristine given forward.

The kit's repository keeps them at ``solutions/backprop/ops.py`` and
``assignments/backprop/ops.py``; a deployment (a released student repo, an autograder bundle)
points elsewhere with ``BACKPROP_SOLUTIONS`` / ``BACKPROP_GIVEN``.
"""

import importlib.util
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def solutions_path() -> Path:
    return Path(os.environ.get("BACKPROP_SOLUTIONS", REPO / "solutions" / "backprop" / "ops.py"))


def given_path() -> Path:
    packaged = Path(__file__).with_name("given_ops.py")  # written by the release builder
    default = packaged if packaged.exists() else REPO / "assignments" / "backprop" / "ops.py"
    return Path(os.environ.get("BACKPROP_GIVEN", default))


def cache_dir() -> Path:
    """Where banks are cached per user (``$XDG_CACHE_HOME/backprop-grader``): the hidden one holds
    expected values, so the sandbox keeps student code out of it."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "backprop-grader"


def load_trusted(path: Path, name: str):
    """Import one of *our* files (never a submission) as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
