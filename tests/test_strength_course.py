"""`grader strength --course`: a course's own ops are mutated from their own reference files,
with the operators their op modules declare (OpSpec.mutations), and the worked examples score
100% on their non-equivalent mutants."""

import ast
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLES = ROOT / "examples"

# An op module's own operator, declared next to the op: tanh' by its exp form, which overflows
# to inf / inf = NaN beyond |x| ~ 355 (the stability family's inputs).
EXP_FORM = '''

import ast as _ast
import dataclasses as _dataclasses


def _exp_form(node, scope):
    if _ast.unparse(node) == "1.0 - self.out * self.out":
        return [_ast.parse("4.0 * np.exp(2 * self.x) / (np.exp(2 * self.x) + 1.0) ** 2", mode="eval").body]
    return []


OP = _dataclasses.replace(OP, mutations=(("exp_form", "writes 4 exp(2x) / (exp(2x) + 1)**2 for 1 - t**2",
                                          _exp_form),))
'''


def run_strength(*args, cache):
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("GRADER_COURSE", None)
    return subprocess.run([sys.executable, "-m", "grader", "strength", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)


def one_op_course(folder, name, extra_module_text=""):
    """The example `name` alone (no built-in op), as an instructor's course folder."""
    folder.mkdir()
    shutil.copy(EXAMPLES / name / f"{name}_reference.py", folder)
    (folder / f"{name}.py").write_text((EXAMPLES / name / f"{name}.py").read_text() + extra_module_text)
    (folder / "course.toml").write_text(f'[course]\nbuiltins = false\n\n[[ops]]\nmodule = "{name}.py"\n'
                                        f'reference = "{name}_reference.py"\n')
    return folder


def rows_of(path):
    data = json.loads(path.read_text())
    return data, {row["id"]: row for row in data["mutants"]}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tanh", "layer_norm"])
def test_the_worked_examples_catch_every_non_equivalent_mutant(name, tmp_path):
    # The example as shipped (on top of the kit's seven ops): its op's mutants come from its own
    # reference file; only that op is mutated.
    out = tmp_path / "strength.json"
    result = run_strength("--course", EXAMPLES / name, "--op", name, "--json", out, cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    data, rows = rows_of(out)
    assert list(data["ops"]) == [name] and all(row["op"] == name for row in rows.values())
    summary = data["ops"][name]
    assert summary["non_equivalent"] >= 8 and summary["collateral"] == 0
    survivors = {key: row["would_catch"] for key, row in rows.items() if row["status"] == "survived"}
    assert summary["score"] == 1.0 and not survivors, survivors
    reference = (EXAMPLES / name / f"{name}_reference.py").read_text()
    assert all(line[1:] in reference for row in rows.values() for line in row["diff"].splitlines()
               if line.startswith("-") and not line.startswith("---")), "diffs are against the example's reference"


def test_a_course_op_module_adds_its_own_operator(tmp_path):
    course = one_op_course(tmp_path / "course", "tanh", EXP_FORM)
    out = tmp_path / "strength.json"
    result = run_strength("--course", course, "--json", out, cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    data, rows = rows_of(out)
    assert list(data["ops"]) == ["tanh"]
    mutant = rows["tanh.exp_form.1"]
    assert mutant["status"] == "caught" and mutant["mistake"].startswith("writes 4 exp(2x)")
    assert "stability" in [check["property"] for check in mutant["caught_by"]]
    assert "+        return (grad_out * (4.0 * np.exp(2 * self.x)" in mutant["diff"]


def test_a_course_op_without_a_reference_is_refused(tmp_path):
    course = one_op_course(tmp_path / "course", "tanh")
    (course / "course.toml").write_text('[course]\nbuiltins = false\n\n[[ops]]\nmodule = "tanh.py"\n')
    result = run_strength("--course", course, cache=tmp_path / "cache")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "tanh" in lines[0], result.stderr


def test_a_courses_reference_file_holds_each_of_its_ops_once(tmp_path):
    # The kit's classes the course does not keep are left out; the course's own come from its files.
    from grader.instructor.strength.source import reference_source
    from grader.ops import registry

    course = one_op_course(tmp_path / "course", "tanh")
    toml = course / "course.toml"
    toml.write_text(toml.read_text().replace("builtins = false", 'builtins = ["sigmoid"]'))
    loaded = registry.load_course(course)
    source = reference_source(loaded)
    classes = [node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef)]
    assert classes == [op.class_name for op in loaded.contract] == ["Sigmoid", "Tanh"]
    assert (course / "tanh_reference.py").read_text().strip() in source
