"""A failing property reports a *minimal* example that still shows the same mistake."""

import numpy as np

from conftest import CORPUS, with_snippet


def test_shrunk_example_is_small_and_shows_the_mistake(grade_source):
    report = grade_source(with_snippet(CORPUS / "wrong" / "embedding__fancy_index_add.py"), shrink=True)
    check = next(c for c in report.ops["embedding"].checks if c.name == "repeated_indices")
    assert not check.passed and check.kind == "values"
    assert "Minimal failing example" in check.feedback
    assert "indices = shape (2,): [0, 0]" in check.feedback  # two lookups of one row: the smallest repeat


def test_shrinking_is_deterministic(grade_source):
    source = with_snippet(CORPUS / "wrong" / "matmul__no_transpose_grad_a.py")
    first, second = grade_source(source, shrink=True), grade_source(source, shrink=True)
    assert first.to_json() == second.to_json()
