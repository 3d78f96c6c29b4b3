"""`grader integrity`: similar backward bodies and AST flags, read from the source, never run.

Similarity is calibrated on the kit's independent correct implementations (tests/corpus/correct
and the reference) against deliberate copies (tests/integrity/copies: renamed, reordered,
recommented, re-spaced). Each flag has files that must raise it, each flagged line marked
``# flagged``, and look-alikes that must not (tests/integrity/flags), and no honest file of the
kit's corpora raises any.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli.app import main
from grader.instructor.integrity import similarity as sim
from grader.instructor.integrity.bodies import backward_bodies
from grader.instructor.integrity.flags import find_flags
from grader.instructor.integrity.report import read_student
from grader.instructor.integrity.sources import parse

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, STUB_SOURCE, snippet_op

COPIES = sorted((ROOT / "tests" / "integrity" / "copies").glob("*.py"))
FLAG_FILES = sorted((ROOT / "tests" / "integrity" / "flags").glob("*.py"))
HONEST = sorted((CORPUS / "correct").glob("*.py"))


def bodies(text: str) -> dict:
    return {op: body.text for op, body in backward_bodies([parse("ops.py", text)]).items()}


def constant(path: Path, name: str):
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError(f"{path.name} has no {name}")


def honest_class() -> dict:
    """{student: {op: body}}: the reference, and each correct snippet for its own op."""
    students = {"reference": bodies(SOLUTION_SOURCE)}
    for path in HONEST:
        op = snippet_op(path)
        students[path.stem] = {op: bodies(SOLUTION_SOURCE + "\n\n" + path.read_text(encoding="utf-8"))[op]}
    return students


def copy_body(path: Path) -> dict:
    op = snippet_op(path)
    return {op: bodies(SOLUTION_SOURCE + "\n\n" + path.read_text(encoding="utf-8"))[op]}


def pairs(results) -> set:
    return {(pair.op, pair.first, pair.second) for result in results for pair in result.pairs}


# --------------------------------------------------------------------------- similarity

def test_independent_correct_files_are_never_flagged_against_each_other():
    results = sim.similarity(honest_class())
    assert pairs(results) == set()
    assert all(result.compared for result in results if result.op not in ("matmul",))


@pytest.mark.parametrize("path", COPIES, ids=lambda path: path.stem)
def test_a_copy_is_flagged_with_its_source_and_nothing_else(path):
    students = honest_class()
    students[f"copy_{path.stem}"] = copy_body(path)
    source = constant(path, "SOURCE")
    op = snippet_op(path)
    assert pairs(sim.similarity(students)) == {(op, *sorted([f"copy_{path.stem}", source]))}


def test_the_calibration_figures_are_the_docstrings():
    honest = max(result.highest for result in sim.similarity(honest_class()))
    lowest = 1.0
    for path in COPIES:
        students = {constant(path, "SOURCE"): honest_class()[constant(path, "SOURCE")], "copy": copy_body(path)}
        lowest = min(lowest, max(result.highest for result in sim.similarity(students)))
    assert honest < sim.THRESHOLD <= lowest
    doc = " ".join(sim.__doc__.split())
    assert f"highest similarity of a pair is {honest:.2f}" in doc and f"the lowest is {lowest:.2f}" in doc


def test_the_stubs_and_the_given_forward_are_boilerplate():
    # Two students who pasted forward's lines into backward (reading the logits from self), and
    # two who left the stub: no pair, while without the boilerplate option both would be one.
    forward = ("shifted = self.logits - self.logits.max(axis=1, keepdims=True)\n"
               "log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n")
    assert forward.replace("self.", "").splitlines()[0] in STUB_SOURCE
    stub = bodies(STUB_SOURCE)["softmax_ce"]
    students = {"ann": forward + "return np.exp(log_softmax) * grad_out, None",
                "bob": forward + "return np.exp(log_softmax) / grad_out, None", "cid": stub, "dee": stub}
    with_boilerplate = sim.compare_op("softmax_ce", students, sim.boilerplate_hashes())
    assert with_boilerplate.pairs == () and with_boilerplate.too_short == ("ann", "bob", "cid", "dee")
    without = sim.compare_op("softmax_ce", students, frozenset())
    assert [(pair.first, pair.second) for pair in without.pairs] == [("ann", "bob")]


def test_boilerplate_removes_only_its_own_fingerprints():
    # A body that unbroadcasts grad_a and grad_b alike repeats k-grams; copydetect 0.5.0's own
    # boilerplate option would drop those repeats too, as soon as there is any boilerplate.
    body = copy_body(CORPUS / "correct" / "mul__einsum_unbroadcast.py")["mul"]
    alone = sim._fingerprint("a.py", body)
    assert sim._fingerprint("a.py", body, frozenset({1})).token_coverage == alone.token_coverage
    some = frozenset(list(alone.hashes)[:3])
    assert sim._fingerprint("a.py", body, some).hash_idx == \
        {value: at for value, at in alone.hash_idx.items() if value not in some}


def test_a_passage_most_of_the_class_shares_is_not_evidence():
    body = bodies(SOLUTION_SOURCE)["add"]
    two = sim.compare_op("add", {"a": body, "b": body}, sim.boilerplate_hashes())
    eight = sim.compare_op("add", {name: body for name in "abcdefgh"}, sim.boilerplate_hashes())
    assert len(two.pairs) == 1 and eight.pairs == () and eight.compared == ()


def test_a_body_too_short_to_tell_is_not_compared():
    one_liner = bodies(SOLUTION_SOURCE)["matmul"]   # what any two honest students write
    result = sim.compare_op("matmul", {"a": one_liner, "b": one_liner}, sim.boilerplate_hashes())
    assert result.pairs == () and result.too_short == ("a", "b")


def test_a_body_includes_the_helpers_it_calls():
    copy = bodies(STUB_SOURCE + "\n\n" + (ROOT / "tests" / "integrity" / "copies" / "add__renamed_variables.py").read_text(encoding="utf-8"))
    assert "def reduce_back(upstream, target):" in copy["add"]
    assert copy["add"].startswith("return reduce_back(")   # backward first, without its docstring


# --------------------------------------------------------------------------- flags

def marked_lines(text: str) -> set:
    return {line.strip() for line in text.splitlines() if line.rstrip().endswith("# flagged")}


@pytest.mark.parametrize("path", FLAG_FILES, ids=lambda path: path.stem)
def test_each_flag_raises_on_its_files_quoting_the_lines_and_never_on_look_alikes(path):
    snippet = path.read_text(encoding="utf-8")
    flags = find_flags([parse("ops.py", STUB_SOURCE + "\n\n" + snippet)])
    assert {flag.kind for flag in flags} == set(constant(path, "FLAGS"))
    quoted = {line.strip() for flag in flags for line in flag.quote.splitlines()}
    assert quoted == marked_lines(snippet)
    assert all(path.stem.startswith(flag.kind) for flag in flags)


def test_no_honest_file_of_the_kit_raises_a_flag():
    texts = {"reference": SOLUTION_SOURCE, "stubs": STUB_SOURCE}
    for path in sorted((CORPUS / "correct").glob("*.py")) + sorted((CORPUS / "wrong").glob("*.py")):
        texts[path.name] = SOLUTION_SOURCE + "\n\n" + path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "tests" / "styles").glob("*.py")):
        style = path.read_text(encoding="utf-8")
        texts[path.name] = style.replace("# {reference}", SOLUTION_SOURCE) if "# {reference}" in style \
            else SOLUTION_SOURCE + "\n" + style
    assert {name: find_flags([parse("ops.py", text)]) for name, text in texts.items()} == \
        {name: [] for name in texts}


def notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": text} for text in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_a_notebook_is_read_cell_by_cell(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook(STUB_SOURCE, "def broken(:\n", "import torch\n"), encoding="utf-8")
    student = read_student("nb", path)
    assert [(flag.kind, flag.where, flag.line, flag.quote) for flag in student.flags] == \
        [("autograd", "cell 3", 1, "import torch")]
    assert student.problems == ("cell 2 does not parse (line 1: invalid syntax)",)
    assert set(student.bodies) == {"mul", "add", "max", "sigmoid", "matmul", "softmax_ce", "embedding"}


# --------------------------------------------------------------------------- the command

HOSTILE_NAME = "<i>copier&amp;"
HOSTILE_LINE = "# </pre><script>alert(1)</script>"


@pytest.fixture(scope="module")
def a_class(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    honest = CORPUS / "correct"
    for name in ("add__sum_keepdims_padded", "add__einsum_unbroadcast", "embedding__python_loop"):
        (folder / f"{name}.py").write_text(STUB_SOURCE + "\n\n" + (honest / f"{name}.py").read_text(), encoding="utf-8")
    copy = (ROOT / "tests" / "integrity" / "copies" / "add__renamed_variables.py").read_text(encoding="utf-8")
    copy = copy.replace("    full = ", f"    {HOSTILE_LINE}\n    full = ")   # inside the helper: shown
    (folder / f"{HOSTILE_NAME}.py").write_text(STUB_SOURCE + "\n\n" + copy, encoding="utf-8")
    (folder / "finite.py").write_text(STUB_SOURCE + "\n\n" + (ROOT / "tests" / "integrity" / "flags" / "finite_differences__inline_formula.py").read_text(), encoding="utf-8")
    (folder / "syntax.py").write_text("def backward(:\n", encoding="utf-8")
    (folder / "latin1.py").write_bytes("# caf\xe9\n".encode("latin-1"))
    (folder / "empty_folder").mkdir()
    (folder / "a_folder" / "backprop").mkdir(parents=True)
    (folder / "a_folder" / "backprop" / "ops.py").write_text(STUB_SOURCE + "\nimport jax\n", encoding="utf-8")
    (folder / "notebook.ipynb").write_text(notebook(STUB_SOURCE, "import socket\n"), encoding="utf-8")
    return folder


def run_integrity(folder: Path, out: Path, seed: str):
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-m", "grader", "integrity", str(folder), "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def outputs(a_class, tmp_path_factory) -> list:
    runs = []
    for seed in ("1", "2"):
        out = tmp_path_factory.mktemp(f"integrity{seed}")
        done = run_integrity(a_class, out, seed)
        runs.append((done, out))
    return runs


def test_the_command_writes_the_report_and_says_so_in_one_line(outputs):
    done, out = outputs[0]
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and ", 1 similar pair, " in done.stdout
    report = json.loads((out / "integrity.json").read_text(encoding="utf-8"))
    add = next(op for op in report["ops"] if op["op"] == "add")
    assert [pair["students"] for pair in add["pairs"]] == [[HOSTILE_NAME, "add__sum_keepdims_padded"]]
    flagged = {entry["student"]: sorted({flag["kind"] for flag in entry["flags"]}) for entry in report["flagged"]}
    assert flagged == {"finite": ["finite_differences"], "notebook": ["network"], "a_folder": ["autograd"]}
    assert {entry["student"] for entry in report["unread"]} == {"syntax", "latin1", "empty_folder"}


def test_a_flagged_pair_shows_both_bodies_side_by_side(outputs):
    page = (outputs[0][1] / "integrity.html").read_text(encoding="utf-8")
    section = page[page.index("<h3>add</h3>"):page.index("<h2>Flags")]
    assert section.count('<td class="side"><pre>') == 2
    assert "def reduce_back(upstream, target):" in section and "def _add_sum_keepdims(grad, shape):" in section


def test_student_text_is_escaped_in_the_page(outputs):
    page = (outputs[0][1] / "integrity.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<i>" not in page
    assert "&lt;i&gt;copier&amp;amp;" in page and "# &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_report_is_the_same_byte_for_byte_whatever_the_hash_seed(outputs):
    (first, one), (second, two) = outputs
    assert first.stdout.replace(str(one), "") == second.stdout.replace(str(two), "")
    for name in ("integrity.html", "integrity.json"):
        assert (one / name).read_bytes() == (two / name).read_bytes()


@pytest.mark.parametrize("problem", ["missing", "empty", "out_is_a_file"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, problem):
    folder, out = tmp_path / "class", tmp_path / "out"
    if problem != "missing":
        folder.mkdir()
    if problem == "out_is_a_file":
        (folder / "alice.py").write_text(STUB_SOURCE, encoding="utf-8")
        out.write_text("")
    assert main(["integrity", str(folder), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("grader: ") and "Traceback" not in captured.err


def test_without_copydetect_the_command_refuses_at_start_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "copydetect", None)   # what `import copydetect` meets when it is missing
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(STUB_SOURCE, encoding="utf-8")
    assert main(["integrity", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == ("grader: grader integrity needs copydetect: install the kit's pinned "
                                       "requirements (pip install -r requirements.txt)\n")
    assert not (tmp_path / "out").exists()
