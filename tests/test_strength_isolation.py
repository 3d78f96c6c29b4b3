"""Collateral is graded on a sample: the other mutants are proved, on their AST, to change their op alone."""

import dataclasses

from grader.instructor.strength.assess import whole_grades
from grader.instructor.strength.isolation import changes_only
from grader.instructor.strength.mutants import mutants_of
from grader.ops import registry

from conftest import SOLUTION_SOURCE

KIT = registry.builtin().contract


def test_every_mutant_of_the_kit_changes_its_op_alone():
    mutants = mutants_of(SOLUTION_SOURCE, KIT.keys)
    assert len(mutants) > 100
    assert all(changes_only(m.source, SOLUTION_SOURCE, KIT[m.op].class_name) for m in mutants)


def _edit(source: str, old: str, new: str) -> str:
    assert source.count(old) >= 1, old
    return source.replace(old, new, 1)


def test_a_change_that_could_reach_another_op_is_seen():
    matmul = KIT["matmul"].class_name
    add = KIT["add"].class_name
    mutant = next(m for m in mutants_of(SOLUTION_SOURCE, ["matmul"]) if m.operator == "flip_sign")
    assert changes_only(mutant.source, SOLUTION_SOURCE, matmul)
    # Another class changed too, even by one constant.
    assert not changes_only(mutant.source + "\n\nLIMIT = 1\n", SOLUTION_SOURCE, matmul)
    # Another op's class names the mutated one (it would run the mutant's code).
    assert not changes_only(mutant.source + f"\n\nclass Other({matmul}):\n    pass\n", SOLUTION_SOURCE + \
        f"\n\nclass Other({matmul}):\n    pass\n", matmul)
    # The mutated backward writes module state another op could read.
    marker = "    def backward(self, grad_out):\n"
    cls_at = mutant.source.index(f"class {matmul}")
    at = mutant.source.index(marker, cls_at) + len(marker)
    for leak in ("        global _seen\n        _seen = 1\n", "        np.random.seed_state = 1\n",
                 "        _CACHE['x'] = grad_out\n"):
        assert not changes_only(mutant.source[:at] + leak + mutant.source[at:], SOLUTION_SOURCE, matmul), leak
    # The mutant of one class is not "only" a change of another's.
    assert not changes_only(mutant.source, SOLUTION_SOURCE, add)


def test_collateral_is_graded_on_each_ops_first_mutant_its_first_that_changes_state_and_unprovable_ones():
    mutants = mutants_of(SOLUTION_SOURCE, KIT.keys)
    whole = whole_grades(mutants, SOLUTION_SOURCE, KIT)
    for key in KIT.keys:
        mine = [m for m in mutants if m.op == key]
        assert mine[0].id in whole and next(m for m in mine if m.changes_state).id in whole
    assert len(whole) == 2 * len(KIT.keys)
    leaky = dataclasses.replace(mutants[5], source=mutants[5].source + "\n\nLIMIT = 1\n")
    assert leaky.id not in whole and leaky.id in whole_grades([*mutants[:5], leaky], SOLUTION_SOURCE, KIT)
