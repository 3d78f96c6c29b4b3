"""`grader strength`: mutants from the reference, equivalence, what a rubric lets through, the report."""

import ast
import dataclasses
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from grader.cli.commands import rubric_toml
from grader.ops import load_rubric, registry
from grader.core.contract import Contract
from grader.instructor.strength.assess import Verdict, assess
from grader.instructor.strength.mutants import mutants_of
from grader.instructor.strength.operators import Operator
from grader.instructor.strength.report import build, render_html

from conftest import ROOT, SOLUTION_SOURCE

SMALL = '''\
import numpy as np


def _sum_to_shape(grad, shape):
    return grad.sum(axis=0).reshape(shape)


class Sigmoid:
    def forward(self, x):
        self.x = x
        self.out = np.exp(-np.logaddexp(0.0, -x))
        return self.out

    def backward(self, grad_out):
        """Docstring."""
        # a comment that stays
        return (grad_out * self.out * (1.0 - self.out),)


class MatMul:
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad_out):
        return grad_out @ self.b.T, self.a.T @ grad_out


class Max:
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, grad_out):
        wins = self.a >= self.b
        return _sum_to_shape(np.where(wins, grad_out, 0.0), np.shape(self.a)), None


class SoftmaxCrossEntropy:
    def forward(self, logits, labels):
        self.logits, self.labels = logits, labels
        return 0.0

    def backward(self, grad_out):
        probs = np.exp(self.logits - self.logits.max(axis=1, keepdims=True))
        return probs / probs.sum(axis=1, keepdims=True) * grad_out, None


class Embedding:
    def forward(self, weight, indices):
        self.weight, self.indices = weight, indices
        return weight[indices]

    def backward(self, grad_out):
        grad_weight = np.zeros_like(self.weight)
        np.add.at(grad_weight, self.indices, grad_out)
        return grad_weight, None
'''


def backward_lines(source: str, class_name: str) -> list:
    """The unparsed statements of `class_name`.backward in `source`, docstring left out."""
    cls = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == class_name)
    method = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "backward")
    body = method.body[1:] if isinstance(method.body[0].value if isinstance(method.body[0], ast.Expr) else None,
                                        ast.Constant) else method.body
    return [ast.unparse(statement) for statement in body]


def by_id(mutants) -> dict:
    return {m.id: m for m in mutants}


# --------------------------------------------------------------------------- operators -> sources

def test_operators_make_the_expected_mutants_of_matmul():
    mutants = by_id(mutants_of(SMALL, ["matmul"]))
    expected = {
        "matmul.wrong_input.1": "return (grad_out @ self.a.T, self.a.T @ grad_out)",
        "matmul.return_order.1": "return (self.a.T @ grad_out, grad_out @ self.b.T)",
        "matmul.swap_operands.1": "return (self.b.T @ grad_out, self.a.T @ grad_out)",
        "matmul.drop_transpose.1": "return (grad_out @ self.b, self.a.T @ grad_out)",
        "matmul.drop_transpose.2": "return (grad_out @ self.b.T, self.a @ grad_out)",
        "matmul.add_transpose.1": "return (grad_out.T @ self.b.T, self.a.T @ grad_out)",
        "matmul.ignore_grad_out.2": "return (grad_out @ self.b.T, self.a.T @ np.ones_like(grad_out))",
        "matmul.flip_sign.1": "return (-(grad_out @ self.b.T), self.a.T @ grad_out)",
        "matmul.scale.1": "return (2.0 * (grad_out @ self.b.T), self.a.T @ grad_out)",
        "matmul.scale.2": "return (grad_out @ self.b.T / len(np.atleast_1d(grad_out @ self.b.T)), self.a.T @ grad_out)",
    }
    for mutant_id, line in expected.items():
        assert backward_lines(mutants[mutant_id].source, "MatMul") == [line], mutant_id
    stale = backward_lines(mutants["matmul.stale_result.1"].source, "MatMul")
    assert stale[-1] == "return self._first_grads" and "grad_out @ self.b.T" in stale[0]
    assert "self._grad_sums = _grads" in backward_lines(mutants["matmul.accumulate.1"].source, "MatMul")


def test_operators_for_reductions_comparisons_add_at_and_naive_forms():
    mutants = by_id(mutants_of(SMALL, ["max", "softmax_ce", "embedding", "sigmoid"]))
    lines = {mutant_id: backward_lines(m.source, {"max": "Max", "softmax_ce": "SoftmaxCrossEntropy",
                                                  "embedding": "Embedding", "sigmoid": "Sigmoid"}[m.op])
             for mutant_id, m in mutants.items()}
    comparisons = sorted(lines[i][0] for i in lines if i.startswith("max.comparison."))
    assert comparisons == sorted(f"wins = self.a {op} self.b" for op in (">", "<=", "<", "==", "!="))
    assert lines["max.swap_operands.1"][1].startswith("return (_sum_to_shape(np.where(wins, 0.0, grad_out)")
    assert lines["max.drop_broadcast_sum.1"][1] == "return (np.where(wins, grad_out, 0.0), None)"
    assert lines["max.wrong_input.1"][0] == "wins = self.b >= self.b"
    assert lines["embedding.add_at_by_index.1"][1] == "grad_weight[self.indices] = grad_out"
    assert lines["embedding.add_at_by_index.2"][1] == "grad_weight[self.indices] += grad_out"
    assert not any(i.startswith("embedding.wrong_input") for i in lines), "indices are no float input to swap in"
    assert lines["softmax_ce.naive_form.1"][0] == "probs = np.exp(self.logits)"
    assert lines["softmax_ce.drop_keepdims.1"][0] == "probs = np.exp(self.logits - self.logits.max(axis=1))"
    assert "probs = np.exp(self.logits - self.logits.max(axis=0, keepdims=True))" in \
        [lines[i][0] for i in lines if i.startswith("softmax_ce.reduction_axis.")]
    assert lines["softmax_ce.mean_for_sum.1"][1].startswith("return (probs / probs.mean(axis=1, keepdims=True)")
    assert lines["softmax_ce.in_place.1"][0] == \
        "probs = np.exp(np.subtract(self.logits, self.logits.max(axis=1, keepdims=True), out=self.logits))"
    assert lines["sigmoid.naive_sigmoid_derivative.1"] == \
        ["return (grad_out * (np.exp(-self.x) / (1.0 + np.exp(-self.x)) ** 2),)"]
    assert lines["sigmoid.drop_factor.1"] == ["return (grad_out * self.out,)"]


def test_a_mutant_changes_its_backward_and_nothing_else():
    for mutant in mutants_of(SMALL, ["sigmoid", "matmul"]):
        changed = [line for line in mutant.diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        removed = [line[1:] for line in changed if line.startswith("-")]
        assert removed and all(line.startswith("        ") for line in removed), mutant.id
        assert "# a comment that stays" in mutant.source and '"""Docstring."""' in mutant.source
        assert "class MatMul" not in mutant.probe_source or mutant.op == "matmul"
        assert "class Sigmoid" in mutant.source and "class Embedding" in mutant.source
    sources = [m.source for m in mutants_of(SOLUTION_SOURCE, ["mul", "add", "max"])]
    assert len(sources) == len(set(sources)) and SOLUTION_SOURCE not in sources


def test_an_op_module_adds_its_own_operators_through_opspec_mutations():
    # The operators an op declares next to it (OpSpec.mutations) mutate that op, and no other.
    double = ("double_b", "uses 2b", lambda node, scope: [ast.parse("2 * self.b", mode="eval").body]
              if ast.unparse(node) == "self.b" else [])
    kit = registry.builtin().contract
    contract = Contract(tuple(dataclasses.replace(op, mutations=(double,)) if op.key == "matmul" else op
                              for op in kit))
    mutants = by_id(mutants_of(SMALL, ["matmul", "max"], contract))
    assert backward_lines(mutants["matmul.double_b.1"].source, "MatMul") == \
        ["return (grad_out @ (2 * self.b).T, self.a.T @ grad_out)"]
    assert mutants["matmul.double_b.1"].sentence == "uses 2b"
    assert not any(".double_b." in key for key in mutants if not key.startswith("matmul."))
    assert "matmul.double_b.1" not in by_id(mutants_of(SMALL, ["matmul"])), "the kit's matmul declares no double_b"


# --------------------------------------------------------------------------- running them (sandbox)

@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A bank cache of this module's own, shared by its tests (each bank is drawn once)."""
    folder = tmp_path_factory.mktemp("strength-cache")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous


def _transpose_product(node, scope):
    """``x.T @ y`` -> ``(y.T @ x).T``: the same product, written the other way round."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult) and isinstance(node.left, ast.Attribute) \
            and node.left.attr == "T":
        return [ast.parse(f"({ast.unparse(node.right)}.T @ {ast.unparse(node.left.value)}).T", mode="eval").body]
    return []


def test_an_equivalent_mutant_is_recognised_and_a_wrong_one_caught(cache):
    rewritten = Operator("transpose_product", "writes a.T @ b as (b.T @ a).T", _transpose_product)
    mutants = by_id(mutants_of(SOLUTION_SOURCE, ["matmul"], extra={"matmul": (rewritten,)}))
    same = mutants["matmul.transpose_product.1"]
    assert "(grad_out.T @ self.a).T" in same.diff
    verdicts = {v.mutant.id: v for v in assess([same, mutants["matmul.drop_transpose.1"]], load_rubric(), 2)}
    assert verdicts[same.id].equivalent and verdicts[same.id].probed
    wrong = verdicts["matmul.drop_transpose.1"]
    assert not wrong.equivalent and "rectangular" in wrong.caught_by and "square" in wrong.caught_by
    # Collateral is graded on the op's first mutant; the other, proved to change matmul alone, is
    # graded on matmul only.
    graded = [op.key for op in load_rubric().graded_ops]
    assert verdicts[same.id].whole and list(verdicts[same.id].report["ops"]) == graded
    assert not wrong.whole and list(wrong.report["ops"]) == ["matmul"]


def run_strength(*args, cache):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.run([sys.executable, "-m", "grader", "strength", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


def rubric_without(tmp_path, op: str, prop: str, examples: int = 40):
    text = rubric_toml(load_rubric())   # the default rubric written out in full, as `grader properties --toml`
    lines, section = [], ""
    for line in text.splitlines():
        section = line.strip() if line.startswith("[") else section
        if section == f"[points.{op}]" and line.split("=")[0].strip() == prop:
            continue
        lines.append(line.replace("examples_per_property = 40", f"examples_per_property = {examples}"))
    path = tmp_path / "rubric.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_rubric_gap_lets_a_mutant_through_and_the_report_names_it(tmp_path, cache):
    # Without matmul.no_mutation, a backward that adds each call's answer to the last one's passes:
    # upstream judges only the first call once the calls disagree (state is no_mutation's).
    out = tmp_path / "strength.json"
    result = run_strength("--op", "matmul", "--rubric", rubric_without(tmp_path, "matmul", "no_mutation"),
                          "--json", out, "--html", tmp_path / "strength.html", cache=cache)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    survivors = {row["id"]: row for row in data["mutants"] if row["status"] == "survived"}
    assert "matmul.accumulate.1" in survivors
    assert survivors["matmul.accumulate.1"]["would_catch"] == [{"property": "matmul.no_mutation", "graded": False}]
    assert data["ops"]["matmul"]["score"] < 1 and data["ops"]["matmul"]["collateral"] == 0
    assert "matmul.accumulate.1" in result.stdout and "matmul.no_mutation" in result.stdout
    assert "matmul.accumulate.1" in (tmp_path / "strength.html").read_text()


def test_without_square_no_matmul_mutant_survives(tmp_path, cache):
    # Issue 15 expected a transpose mutant to survive once `square` is dropped. None does:
    # `rectangular` draws square shapes too, where a missing transpose gives wrong values, and
    # raises on the other shapes. So the rubric without `square` still scores 100% on matmul.
    out = tmp_path / "strength.json"
    result = run_strength("--op", "matmul", "--rubric", rubric_without(tmp_path, "matmul", "square"),
                          "--json", out, cache=cache)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["ops"]["matmul"]["score"] == 1.0 and data["ops"]["matmul"]["survived"] == 0
    rows = [row for row in data["mutants"] if "transpose" in row["operator"]]
    assert len(rows) >= 3 and all(row["status"] == "caught" and "rectangular" in
                                  [c["property"] for c in row["caught_by"]] for row in rows)
    assert not any(c["property"] == "square" for row in data["mutants"] for c in row["caught_by"])


@pytest.mark.slow
def test_the_default_report_is_full_marks_and_deterministic(tmp_path, cache):
    first, html = tmp_path / "first.json", tmp_path / "first.html"
    result = run_strength("--json", first, "--html", html, cache=cache)
    assert result.returncode == 0, result.stderr
    data = json.loads(first.read_text())
    assert list(data["ops"]) == ["mul", "add", "max", "sigmoid", "matmul", "softmax_ce", "embedding"]
    for key, row in data["ops"].items():
        assert row["score"] == 1.0 and row["survived"] == 0 and row["collateral"] == 0, (key, row)
        assert row["non_equivalent"] >= 8, key
    assert {row["operator"] for row in data["mutants"]} >= {"wrong_input", "drop_transpose", "ignore_grad_out",
                                                            "add_at_by_index", "naive_form", "in_place",
                                                            "accumulate", "comparison", "scale"}
    assert all(row["status"] in ("caught", "equivalent") for row in data["mutants"])
    # The same ops again, in another run: the same rows, byte for byte.
    again = tmp_path / "again.json"
    assert run_strength("--op", "max", "embedding", "--json", again, cache=cache).returncode == 0
    rows = [row for row in data["mutants"] if row["op"] in ("max", "embedding")]
    assert json.loads(again.read_text())["mutants"] == rows
    assert "Rubric strength" in result.stdout and "<script" not in html.read_text()


# --------------------------------------------------------------------------- the report and bad input

def test_the_html_page_shows_every_text_as_text():
    mutant = SimpleNamespace(id="mul.x.1", op="mul", operator="x", sentence="<script>alert(1)</script>",
                             diff="-        a = b\n+        a = b <b>bold</b>\n")
    check = {"name": "same_shape", "passed": True, "kind": "", "mistake": "", "diagnosis": ""}
    report = {"ops": {"mul": {"score": 12.0, "max_score": 12.0, "checks": [check]}}}
    verdict = Verdict(mutant, report, probed=True, exposed_by=["mul.broadcast"])
    page = render_html(build([verdict], load_rubric(), ["mul"], load_rubric()))
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "mul.broadcast" in page


@pytest.mark.parametrize("args, message", [
    (["--op", "conv"], "unknown op 'conv'"),
    (["--rubric", "missing.toml"], "rubric file not found"),
    (["--json", "no/such/folder/out.json"], "no such folder"),
    (["-j", "0"], "-j must be at least 1"),
    (["--course", "no/such/course"], "course folder not found"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    result = run_strength(*args, cache=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_op_the_rubric_does_not_grade_is_refused(tmp_path):
    rubric = tmp_path / "rubric.toml"
    rubric.write_text("[points.mul]\nsame_shape = 1\n")
    result = run_strength("--op", "add", "--rubric", rubric, cache=tmp_path)
    assert result.returncode == 2 and "grades no property of add" in result.stderr
    rubric.write_text("[grading]\nseed = 1\n[points.mul]\nsame_shape = 0\n")  # points tables, none above 0
    result = run_strength("--rubric", rubric, cache=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "grades no op" in result.stderr
