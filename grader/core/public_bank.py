"""The public checks' example bank: shipped in the students' release, else cached per user.

The public checks (the students' ``pytest``, ``grader check``) use the Numeric oracle, whose
expected values are Richardson central differences of the given forward. Drawing the 1,360
examples of the default rubric was 6 of the 6.65 s of a released ``pytest`` with everything
passing, on every run. They are public data (anyone can compute them from the handout), so:

1. ``grader release`` draws them once, with the released package itself (`ship`), into
   ``grader/public_bank.npz``: the key it carries is the one a student's checkout computes with
   the pinned libraries (bankfile.bank_key: the package's source, the given forward, the
   rubric, the library versions).
2. A checkout whose key differs (another Python, NumPy or Hypothesis; an edited grader file;
   another rubric) draws the bank once and caches it in the user's cache folder, under its key.
3. With no writable cache folder, the examples are drawn in memory as they are checked.

Whichever way it comes, the bank is the one this oracle and rubric draw: same examples, same
expected values. Loading it imports no Hypothesis.
"""

import os

from ..paths import cache_dir
from .bankfile import GRADER_DIR, bank_key, build_bank, load_bank, save_bank

SHIPPED = GRADER_DIR / "public_bank.npz"  # written into a release by `ship`; the kit has none


def cached_path(key: str):
    """The per-user cache file of the public bank with this key."""
    return cache_dir() / f"public-bank-{key[:16]}.npz"


def public_bank(oracle, rubric):
    """The shipped bank if it is this oracle's and rubric's, else the cached one, else one drawn
    and cached; None when there is no cache folder to keep it in (then the caller draws in memory)."""
    key = bank_key(oracle, rubric)
    path = cached_path(key)
    for stored in (SHIPPED, path):
        bank = load_bank(stored, oracle, rubric, key)
        if bank is not None:
            return bank
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:  # nowhere to keep it: drawn lazily, property by property, as before
        return None
    bank = build_bank(oracle, rubric, key, os.cpu_count() or 1)
    try:
        save_bank(bank, path, key)
    except OSError:  # a read-only or full cache: this run still has its bank
        pass
    return bank


def ship(oracle, rubric, jobs: int = 0):
    """Draw the whole public bank and write it to `SHIPPED` (run by the release, in the release's
    own package, so the key is the one its checkouts compute)."""
    key = bank_key(oracle, rubric)
    save_bank(build_bank(oracle, rubric, key, jobs or os.cpu_count() or 1), SHIPPED, key)
    return SHIPPED
