"""The capstone through every front end that grades a whole submission: `grader batch` (its
gradebook column, feedback.md with the loss plot, the summary's curves), the three platforms
(the part's checks in their JSON, validated like the ops'), and `grader check` (the public
preview). A class or a submission without graph.py is graded as before."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.platforms import Grading, gradescope
from conftest import ROOT, SOLUTION_SOURCE
from test_platforms import PLATFORMS, validate_gradescope

GRAPH = (ROOT / "solutions" / "backprop" / "graph.py").read_text(encoding="utf-8")
GIVEN = GRAPH[:GRAPH.index("def backward(loss):")]
OVERWRITE = GIVEN + (ROOT / "tests" / "capstone_corpus" / "wrong" / "overwrite.py").read_text(encoding="utf-8")
PNG = b"\x89PNG\r\n\x1a\n"


def grader(*argv, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "grader", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def student(folder: Path, graph=None) -> Path:
    folder.mkdir(parents=True)
    (folder / "ops.py").write_text(SOLUTION_SOURCE, encoding="utf-8")
    if graph is not None:
        (folder / "graph.py").write_text(graph, encoding="utf-8")
    return folder


@pytest.mark.parametrize("plots", [True, False])
def test_the_grading_process_draws_the_loss_plot_only_when_asked(plots, tmp_path):
    # A batch asks (plots=True): matplotlib then runs in the parallel grading processes, not the parent.
    # `grader strength` does not: its mutants' plots would be drawn for nobody.
    from grader.core.context import CACHE, GradingContext
    from grader.instructor.pool import Context, grade_in_processes
    from grader.ops import registry
    from grader.render.capstone import loss_png

    rubric = registry.select(None).rubric(None)
    context = Context(GradingContext.hidden(registry.of_contract(rubric.contract), rubric, tmp_path / "bank.npz", CACHE))
    entries = [("alice", student(tmp_path / "alice", GRAPH)), ("dan", student(tmp_path / "dan"))]
    results = {sid: (report, plot) for sid, report, _problem, plot in
               grade_in_processes(entries, context, 1, False, False, 300, plots=plots)}
    report, plot = results["alice"]
    assert plot == (loss_png(report["capstone"]) if plots else b"")
    assert results["dan"][1] == b""   # no graph.py: no curve, no plot


def test_batch_adds_a_capstone_column_its_feedback_and_the_summary_curves(tmp_path):
    class_ = tmp_path / "class"
    student(class_ / "alice", GRAPH)
    student(class_ / "carol", OVERWRITE)
    student(class_ / "dan")                   # no graph.py: 0 in the capstone column
    done = grader("batch", str(class_), "--out", str(tmp_path / "out"), "-j", "1", "--no-shrink")
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out" / "gradebook.csv", newline="", encoding="utf-8") as file:
        rows = {row["id"]: row for row in csv.DictReader(file)}
    assert rows["Points Possible"]["capstone"] == "20" and rows["Points Possible"]["total"] == "120"
    assert [rows[sid]["capstone"] for sid in ("alice", "carol", "dan")] == ["20", "4", "0"]
    assert [rows[sid]["total"] for sid in ("alice", "carol", "dan")] == ["120", "104", "100"]
    report = json.loads((tmp_path / "out" / "carol" / "report.json").read_text(encoding="utf-8"))
    assert (report["score"], report["max_score"]) == (100.0, 100.0)        # the ops' part
    assert report["total"] == {"score": 104.0, "max_score": 120.0}         # every part, as the gradebook counts
    feedback = (tmp_path / "out" / "carol" / "feedback.md").read_text(encoding="utf-8")
    assert "## Capstone" in feedback and "](loss.png)" in feedback and "overwritten" in feedback
    # Drawn by the grading process that graded carol (pool.py), the same bytes the parent would draw.
    from grader.render.capstone import loss_png

    assert (tmp_path / "out" / "carol" / "loss.png").read_bytes() == loss_png(report["capstone"])
    assert loss_png(report["capstone"])[:8] == PNG
    assert not (tmp_path / "out" / "dan" / "loss.png").exists()   # nothing of dan's trained
    dan = json.loads((tmp_path / "out" / "dan" / "report.json").read_text(encoding="utf-8"))
    assert dan["total"] == {"score": 100.0, "max_score": 120.0}            # as the gradebook counts
    assert dan["capstone"]["score"] == 0 and "no graph.py next to ops.py" in dan["capstone"]["error"]
    feedback = (tmp_path / "out" / "dan" / "feedback.md").read_text(encoding="utf-8")
    assert "## Capstone" in feedback and "no graph.py next to ops.py" in feedback and "loss.png" not in feedback
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "summary-capstone.png" in summary and "2 submissions with a graph.py" in summary
    assert (tmp_path / "out" / "summary-capstone.png").read_bytes()[:8] == PNG
    again = grader("batch", str(class_), "--out", str(tmp_path / "out"), "-j", "1", "--no-shrink", "--resume")
    assert again.returncode == 0 and "Graded 0 of 3" in again.stdout, again.stdout + again.stderr


def test_a_class_without_graph_files_keeps_its_gradebook(tmp_path):
    student(tmp_path / "class" / "alice")
    done = grader("batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "-j", "1", "--in-process")
    assert done.returncode == 0, done.stderr
    header = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8").splitlines()[0]
    assert "capstone" not in header and not (tmp_path / "out" / "summary-capstone.png").exists()


@pytest.fixture(scope="module")
def grading():
    return Grading.load()


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
@pytest.mark.parametrize("graph, capstone", [(GRAPH, 20), (OVERWRITE, 4)], ids=["correct", "overwrite"])
def test_the_platforms_show_the_capstone_as_a_part_of_its_own(platform, graph, capstone, tmp_path, grading):
    root = tmp_path / "root"
    platform.submit(root, SOLUTION_SOURCE)
    (root / platform.submission_dir / "graph.py").write_text(graph, encoding="utf-8")
    platform.module.run(root, grading)
    data = platform.read(root)   # Gradescope's is validated against its schema
    assert platform.fraction(data) == pytest.approx((100 + capstone) / 120)
    if platform.name == "coursera":
        assert "capstone" in data["feedback"]
        return
    tests = {test["name"]: test for test in data["tests"]}
    assert {f"capstone.{name}" for name in grading.rubric.parts["capstone"]} <= set(tests)
    earned = "score" if platform.name == "gradescope" else "points"
    assert sum(test[earned] for name, test in tests.items() if name.startswith("capstone.")) == capstone


def test_a_platform_submission_without_graph_py_has_no_capstone_test(tmp_path, grading):
    root = tmp_path / "root"
    PLATFORMS[0].submit(root, SOLUTION_SOURCE)
    gradescope.run(root, grading)
    data = validate_gradescope(json.loads((root / "results" / "results.json").read_text(encoding="utf-8")))
    assert data["score"] == 100 and not any(t["name"].startswith("capstone.") for t in data["tests"])


def test_check_previews_the_capstone_with_the_public_oracle_and_writes_the_plot(tmp_path):
    folder = student(tmp_path / "mine", OVERWRITE)
    done = grader("check", str(folder / "ops.py"), "-q", "--no-shrink", "--feedback", str(tmp_path / "fb"))
    assert done.returncode == 0, done.stderr
    assert "capstone preview" in done.stdout and "4/20" in done.stdout and "cmp" in done.stdout
    assert (tmp_path / "fb" / "loss.png").read_bytes()[:8] == PNG
