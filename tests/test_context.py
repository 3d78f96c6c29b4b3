"""The trusted grading context is built in one place (grader/core/context.py).

Every path that grades gets its oracle, rubric and bank from `GradingContext`; none assembles
its own, so a change to how the reference is loaded or the bank is found applies to all of them.
"""

import ast
from pathlib import Path

import pytest

from grader.ops import load_rubric

from grader.core.bankfile import bank_key, load_bank, save_bank
from grader.core.context import CACHE, REQUIRED, SHIPPED, GradingContext, stored_bank
from grader.core.rubric import Rubric

GRADER = Path(__file__).resolve().parent.parent / "grader"
BUILDERS = {"Reference", "Numeric", "Bank"}  # what a grading context is made of
HOMES = {"core/context.py", "core/bank.py", "core/bankfile.py", "core/oracles.py",
         "ops/capstone/session.py"}   # the capstone's network oracles (ops/capstone/oracle.py), built in one place
SMALL = "[grading]\nseed = 1\nexamples_per_property = 3\n\n[points.mul]\nsame_shape = 1\n"


def constructions(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in BUILDERS:
                yield node.lineno, name


def test_no_module_outside_the_context_builds_an_oracle_or_a_bank():
    found = [f"{path.relative_to(GRADER)}:{line}: {name}(...)"
             for path in sorted(GRADER.rglob("*.py")) if path.relative_to(GRADER).as_posix() not in HOMES
             for line, name in constructions(path)]
    assert not found, "build it through grader.core.context.GradingContext:\n" + "\n".join(found)


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path


def test_a_context_takes_a_course_rubric_and_nothing_else(reference, small):
    """A rubric belongs to a course (its ops): the context takes the Rubric, never a path it
    would have to guess the ops of."""
    rubric = load_rubric(small)
    context = GradingContext.build(reference, rubric)
    assert context.rubric is rubric and context.bank_path == ""
    with pytest.raises(TypeError):
        GradingContext.build(reference, small)


def test_where_the_bank_comes_from(reference, small, tmp_path, capsys):
    rubric = load_rubric(small)
    missing = tmp_path / "none.npz"
    with pytest.raises(RuntimeError, match="missing or stale"):
        stored_bank(reference, rubric, missing, REQUIRED)
    shipped = stored_bank(reference, rubric, missing, SHIPPED)
    assert not missing.exists() and "drawing the example bank for this run" in capsys.readouterr().err
    cached = GradingContext.build(reference, rubric, missing, CACHE)
    assert missing.exists() and cached.bank_path == str(missing)
    loaded = GradingContext.build(reference, rubric, missing, REQUIRED)
    prop = next(prop for prop, _ in rubric.graded("mul"))
    for bank in (shipped, cached.bank):
        assert [e.case.family for e in bank.examples(prop)] == [e.case.family for e in loaded.bank.examples(prop)]
    assert load_bank(missing, reference, rubric, bank_key(reference, rubric)) is not None
    save_bank(cached.bank, missing, "another key")  # a stale file: drawn again and saved over
    assert GradingContext.build(reference, rubric, missing, CACHE).bank is not None
    assert load_bank(missing, reference, rubric, cached.key) is not None
