"""Each property family really contains what its name promises, on the examples graded."""

import numpy as np
import pytest

from grader.ops import BASE_FAMILY, PROPERTIES, PROPERTY_BY_ID
from grader.ops.max import MAX_GAP


def cases(bank, prop_id):
    return [ex.case for ex in bank.examples(PROPERTY_BY_ID[prop_id])]


def test_every_property_is_in_the_rubric(rubric):
    for op, props in PROPERTIES.items():
        assert [p.name for p in props] == list(rubric.points[op]), op


def test_upstream_is_random_never_all_ones(bank):
    for prop_id, prop in PROPERTY_BY_ID.items():
        for case in cases(bank, prop_id):
            for d in case.grad_outs:
                if np.any(d):
                    assert not np.all(d == 1.0), prop_id
    for case in cases(bank, "softmax_ce.batch"):
        assert case.grad_outs[0].shape == () and abs(float(case.grad_outs[0]) - 1.0) >= 0.1


@pytest.mark.parametrize("op", ["mul", "add", "max"])
def test_broadcast_families(bank, op):
    pairs = [(x.shape, y.shape) for x, y in (c.inputs for c in cases(bank, f"{op}.broadcast"))]
    assert all(sa != sb for sa, sb in pairs)
    assert any(len(sa) != len(sb) for sa, sb in pairs), "missing leading axes"
    assert any(len(sa) == len(sb) for sa, sb in pairs), "size-1 axes at the same rank"
    assert any(1 in sa + sb for sa, sb in pairs)
    scalar = [(x.ndim, y.ndim) for x, y in (c.inputs for c in cases(bank, f"{op}.scalar"))]
    assert all(0 in dims for dims in scalar)
    assert any(dims[0] == 0 and dims[1] > 0 for dims in scalar) and any(dims[1] == 0 and dims[0] > 0 for dims in scalar)


def test_max_families_keep_away_from_ties_except_the_tie_family(bank):
    for name in ("same_shape", "broadcast", "scalar", "upstream", "no_mutation"):
        for case in cases(bank, f"max.{name}"):
            assert np.abs(np.subtract(*case.inputs)).min() > MAX_GAP
    assert all((c.inputs[0] == c.inputs[1]).any() for c in cases(bank, "max.ties"))
    assert any((c.inputs[0] != c.inputs[1]).any() for c in cases(bank, "max.ties"))


def test_sigmoid_stability_reaches_1000(bank):
    magnitudes = [np.abs(c.inputs[0]).max() for c in cases(bank, "sigmoid.stability")]
    assert min(magnitudes) >= 700 and max(magnitudes) <= 1000
    assert any(c.inputs[0].ndim == 0 for c in cases(bank, "sigmoid.values"))


def test_matmul_square_and_rectangular(bank):
    for case in cases(bank, "matmul.square"):
        a, b = case.inputs
        assert a.shape == b.shape and a.shape[0] == a.shape[1] >= 2
    shapes = [(c.inputs[0].shape, c.inputs[1].shape) for c in cases(bank, "matmul.rectangular")]
    assert all(sa[1] == sb[0] for sa, sb in shapes)
    assert any(len({sa[0], sa[1], sb[1]}) == 3 for sa, sb in shapes)


def test_softmax_rows(bank):
    assert all(c.inputs[0].shape[0] == 1 for c in cases(bank, "softmax_ce.single_row"))
    assert all(c.inputs[0].shape[0] >= 2 for c in cases(bank, "softmax_ce.batch"))
    assert max(np.abs(c.inputs[0]).max() for c in cases(bank, "softmax_ce.stability")) > 709
    for case in cases(bank, "softmax_ce.batch"):
        logits, labels = case.inputs
        assert labels.dtype.kind == "i" and labels.min() >= 0 and labels.max() < logits.shape[1]


def test_embedding_indices(bank):
    for case in cases(bank, "embedding.repeated_indices"):
        weight, indices = case.inputs
        counts = np.bincount(indices.ravel(), minlength=len(weight))
        assert counts.max() >= 2 and (counts == 0).any()
    for case in cases(bank, "embedding.unique_indices"):
        assert len(np.unique(case.inputs[1])) == case.inputs[1].size
    assert all(c.inputs[1].ndim >= 2 for c in cases(bank, "embedding.multi_dim_indices"))


def test_bank_is_the_same_on_every_build(reference, rubric):
    from grader.core.bank import Bank

    first, second = Bank(reference, rubric), Bank(reference, rubric)
    for prop in PROPERTIES["softmax_ce"]:
        for x, y in zip(first.examples(prop), second.examples(prop)):
            assert all(np.array_equal(u, v) for u, v in zip(x.case.inputs + x.case.grad_outs,
                                                            y.case.inputs + y.case.grad_outs))


@pytest.mark.parametrize("op", sorted(PROPERTIES))
def test_each_example_names_its_family_and_no_mutation_draws_them_all(bank, op):
    """no_mutation draws every value family of its op (state and mutation can hide on any of
    them) and enough base-family examples to judge values on; upstream draws only the base."""
    families = {p.name for p in PROPERTIES[op] if p.check == "gradient"}
    for prop in PROPERTIES[op]:
        drawn = [c.family for c in cases(bank, prop.id)]
        if prop.check == "gradient":
            assert set(drawn) == {prop.name}
        elif prop.check == "upstream":
            assert set(drawn) == {BASE_FAMILY[op]}
        elif prop.check == "no_mutation":
            assert set(drawn) == families and drawn.count(BASE_FAMILY[op]) >= 5, drawn
    assert BASE_FAMILY[op] == PROPERTIES[op][0].name and PROPERTIES[op][0].check == "gradient"
