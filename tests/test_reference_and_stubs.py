"""The two fixed points of grading: the reference scores full marks, the stubs score 0."""

import ast

from grader.ops import OPS
from grader.instructor.stubs import make_stubs

from conftest import SOLUTION_SOURCE, STUB_SOURCE


def test_reference_scores_full_marks(grade_source, rubric):
    report = grade_source(SOLUTION_SOURCE)
    assert report.score == report.max_score == rubric.max_score == 100
    assert all(check.passed for op in report.ops.values() for check in op.checks)


def test_every_property_runs_its_examples(grade_source, rubric):
    report = grade_source(SOLUTION_SOURCE)
    for op in report.ops.values():
        for check in op.checks:
            assert check.examples == rubric.examples_per_property, f"{op.key}.{check.name}"


def test_stubs_score_zero_with_not_implemented_per_op(grade_source):
    report = grade_source(STUB_SOURCE)
    assert report.score == 0
    for op in OPS:
        checks = report.ops[op.key].checks
        assert checks and all(not c.passed for c in checks)
        assert {c.reason for c in checks} == {f"{op.class_name}.backward is not implemented yet"}


def test_stubs_are_derived_from_the_solutions():
    assert make_stubs(SOLUTION_SOURCE) == STUB_SOURCE, "run `make stubs` after editing the solutions"


def _methods(source, name):
    tree = ast.parse(source)
    return {f"{cls.name}.{fn.name}": ast.dump(fn) for cls in tree.body if isinstance(cls, ast.ClassDef)
            for fn in cls.body if isinstance(fn, ast.FunctionDef) and fn.name == name}


def test_stubs_keep_forward_and_docstrings_and_hide_every_answer():
    assert _methods(STUB_SOURCE, "forward") == _methods(SOLUTION_SOURCE, "forward")
    stub_tree, solution_tree = ast.parse(STUB_SOURCE), ast.parse(SOLUTION_SOURCE)
    assert ast.get_docstring(stub_tree) == ast.get_docstring(solution_tree)
    for op in OPS:
        stub_cls = next(n for n in stub_tree.body if isinstance(n, ast.ClassDef) and n.name == op.class_name)
        backward = next(n for n in stub_cls.body if isinstance(n, ast.FunctionDef) and n.name == "backward")
        assert ast.get_docstring(backward), f"{op.class_name}.backward needs its spec docstring"
        body = [n for n in backward.body if not isinstance(n, ast.Expr)]  # the docstring aside
        assert len(body) == 1 and isinstance(body[0], ast.Raise), f"{op.class_name}.backward leaks code"
    assert "_sum_to_shape" not in STUB_SOURCE and "SOLUTION" not in STUB_SOURCE


def test_make_stubs_handles_helpers_and_nesting():
    source = (
        "import numpy as np\n\n\n### BEGIN SOLUTION\ndef _helper():\n    return 1\n### END SOLUTION\n\n\n"
        "class A:\n    def f(self):\n        \"\"\"Doc.\"\"\"\n        ### BEGIN SOLUTION\n        return 2\n"
        "        ### END SOLUTION\n"
    )
    stub = make_stubs(source)
    assert "_helper" not in stub and "return 2" not in stub
    assert 'raise NotImplementedError("A.f is not implemented yet")' in stub
    namespace = {}
    exec(stub, namespace)
    try:
        namespace["A"]().f()
    except NotImplementedError as error:
        assert str(error) == "A.f is not implemented yet"
