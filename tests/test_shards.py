"""`grader batch --shard auto[/N]`: the shard from the job runner's environment, and docs/scale.md.

- Each runner's variables give the right 1-based shard; a missing, doubled, contradictory or
  malformed environment is one line and exit 2, before any grading.
- N simulated shards, each run with its runner's variables set (a Slurm array that starts at
  1, a Kubernetes Indexed Job), merge to exactly one unsharded batch: gradebook, summary and
  every student's reports, byte for byte; and the merged folder exports like the whole one.
- The Kubernetes manifests of docs/scale.md are valid against the Kubernetes JSON schema (the
  pinned kubernetes-validate package ships it, so no network), and they, the Slurm script and
  the GitHub Actions workflow use the variables that `--shard auto` reads.
"""

import os
import re
import shutil
from pathlib import Path
from unittest import mock

import kubernetes_validate
import pytest
import yaml

import grader.cli.app as cli
from grader.core.rubric import DEFAULT_RUBRIC
from grader.instructor.shards import shard_from_environment

from conftest import CORPUS, ROOT, SOLUTION_SOURCE, STUB_SOURCE, with_snippet

RUNNER_VARIABLES = ("JOB_COMPLETION_INDEX", "GRADER_SHARD_INDEX", "GRADER_SHARD_COUNT") + tuple(
    f"SLURM_ARRAY_TASK_{name}" for name in ("ID", "MIN", "MAX", "COUNT", "STEP"))
OUTPUTS = ["gradebook.csv", "gradebook.json", "summary.html",
           "summary-scores.png", "summary-ops.png", "summary-properties.png", "summary-mistakes.png"]
STUDENT_FILES = ["report.json", "feedback.md", "feedback.html"]
KUBERNETES_VERSION = "1.34"


def slurm(task, first, last, step=1):
    count = len(range(first, last + 1, step))
    return {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first), "SLURM_ARRAY_TASK_MAX": str(last),
            "SLURM_ARRAY_TASK_COUNT": str(count), "SLURM_ARRAY_TASK_STEP": str(step)}


# --------------------------------------------------------------------------- reading the environment

@pytest.mark.parametrize("text, environ, shard", [
    ("auto/4", {"JOB_COMPLETION_INDEX": "0"}, (1, 4)),
    ("auto/4", {"JOB_COMPLETION_INDEX": "3"}, (4, 4)),
    (" AUTO / 4 ", {"JOB_COMPLETION_INDEX": "2"}, (3, 4)),
    ("auto", slurm(0, 0, 3), (1, 4)),
    ("auto", slurm(1, 1, 4), (1, 4)),                  # --array=1-4: MIN is 1
    ("auto", slurm(4, 1, 4), (4, 4)),
    ("auto/8", slurm(14, 0, 14, step=2), (8, 8)),      # --array=0-14:2
    ("auto", {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7",
              "SLURM_ARRAY_TASK_COUNT": "4"}, (3, 4)),  # --array=1,3,5,7: no STEP, spaced by its range
    ("auto", {"GRADER_SHARD_INDEX": "0", "GRADER_SHARD_COUNT": "3"}, (1, 3)),
    ("auto/3", {"GRADER_SHARD_INDEX": "2", "GRADER_SHARD_COUNT": "3"}, (3, 3)),
])
def test_each_runner_gives_its_shard(text, environ, shard):
    assert shard_from_environment(text, environ) == shard


@pytest.mark.parametrize("text, environ, says", [
    ("auto", {}, "found no shard"),
    ("auto", {"GITHUB_ACTIONS": "true"}, "GRADER_SHARD_INDEX"),            # a matrix sets nothing by itself
    ("auto", {"JOB_COMPLETION_INDEX": "1"}, "auto/N"),                     # Kubernetes has no count to read
    ("auto/4", {"JOB_COMPLETION_INDEX": "4"}, "only 4 shards"),
    ("auto/4", {"JOB_COMPLETION_INDEX": "-1"}, "whole number"),
    ("auto/4", {"JOB_COMPLETION_INDEX": "one"}, "whole number"),
    ("auto/x", {"JOB_COMPLETION_INDEX": "1"}, "auto/N"),
    ("auto/0", {"JOB_COMPLETION_INDEX": "0"}, "auto/N"),
    ("auto/4", {"JOB_COMPLETION_INDEX": "1", **slurm(1, 1, 4)}, "both set"),
    ("auto", {"GRADER_SHARD_INDEX": "1", **slurm(1, 1, 4)}, "both set"),
    ("auto/3", slurm(1, 1, 4), "disagrees"),
    ("auto", {**slurm(2, 1, 4), "SLURM_ARRAY_TASK_COUNT": ""}, "SLURM_ARRAY_TASK_COUNT"),
    ("auto", {"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7",
              "SLURM_ARRAY_TASK_COUNT": "3"}, "evenly spaced"),             # --array=1,2,7
    ("auto", {**slurm(3, 0, 6, step=2)}, "evenly spaced"),                  # 3 is not a task of 0-6:2
    ("auto", {"GRADER_SHARD_INDEX": "0"}, "GRADER_SHARD_COUNT"),
    ("auto", {"GRADER_SHARD_INDEX": "3", "GRADER_SHARD_COUNT": "3"}, "only 3 shards"),
])
def test_a_missing_or_contradictory_environment_is_one_line_and_exit_2(text, environ, says, tmp_path, capsys,
                                                                      monkeypatch):
    for name in RUNNER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "alice.py").write_text(SOLUTION_SOURCE)
    assert cli.main(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--shard", text]) == 2
    err = capsys.readouterr().err
    assert err.startswith("grader: ") and err.count("\n") == 1 and says in err, err
    assert not (tmp_path / "out").exists()  # refused before anything was written or graded


# --------------------------------------------------------------------------- shards merged = one batch

@pytest.fixture(scope="module")
def small_rubric(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    path.write_text(re.sub(r"examples_per_property = \d+", "examples_per_property = 8", DEFAULT_RUBRIC.read_text()))
    return path


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    (folder / "reference.py").write_text(SOLUTION_SOURCE)
    (folder / "stubs.py").write_text(STUB_SOURCE)
    shutil.copytree(ROOT / "tests" / "samples" / "broken", folder / "broken")
    (folder / "syntax_error.py").write_text("def backward(self, grad_out:\n    return grad_out\n")
    (folder / "swapped.py").write_text(with_snippet(CORPUS / "wrong" / "mul__swapped_operands.py"))
    return folder


def batch(class_folder, out, rubric, *extra, environ=None):
    """`grader batch` in this process, with only `environ`'s runner variables set."""
    clean = {name: value for name, value in os.environ.items() if name not in RUNNER_VARIABLES}
    with mock.patch.dict("os.environ", {**clean, **(environ or {})}, clear=True):
        code = cli.main(["batch", str(class_folder), "--out", str(out), "-j", "1", "--in-process",
                         "--rubric", str(rubric), *extra])
    assert code == 0


@pytest.fixture(scope="module")
def whole(class_folder, small_rubric, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whole")
    batch(class_folder, out, small_rubric)
    return out


def same_outputs(left: Path, right: Path) -> None:
    for name in OUTPUTS:
        assert (left / name).read_bytes() == (right / name).read_bytes(), name
    students = sorted(p.name for p in left.iterdir() if p.is_dir())
    assert students == sorted(p.name for p in right.iterdir() if p.is_dir()) and len(students) == 5
    for sid in students:
        for name in STUDENT_FILES:
            assert (left / sid / name).read_bytes() == (right / sid / name).read_bytes(), f"{sid}/{name}"


@pytest.mark.parametrize("runner, count", [("slurm", 3), ("kubernetes", 2)])
@pytest.mark.slow
def test_simulated_shards_merge_to_one_unsharded_batch(runner, count, whole, class_folder, small_rubric, tmp_path,
                                                       capsys):
    shards = []
    for position in range(count):
        if runner == "slurm":      # --array=1-N: the task ids start at 1
            environ, shard = slurm(position + 1, 1, count), "auto"
        else:                      # an Indexed Job with completions N
            environ, shard = {"JOB_COMPLETION_INDEX": str(position)}, f"auto/{count}"
        out = tmp_path / f"shard-{position}"
        batch(class_folder, out, small_rubric, "--shard", shard, environ=environ)
        shards.append(out)
    merged = tmp_path / "merged"
    assert cli.main(["merge", *map(str, shards), "--out", str(merged)]) == 0
    same_outputs(whole, merged)
    capsys.readouterr()
    for fmt in ("canvas", "moodle", "blackboard", "csv"):
        assert cli.main(["export", str(whole), "--format", fmt, "--per-op"]) == 0
        exported = capsys.readouterr().out
        assert cli.main(["export", str(merged), "--format", fmt, "--per-op"]) == 0
        assert capsys.readouterr().out == exported


# --------------------------------------------------------------------------- docs/scale.md

def scale_blocks(language: str) -> list:
    text = (ROOT / "docs" / "scale.md").read_text()
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.M | re.S)


def kubernetes_documents() -> list:
    return [doc for block in scale_blocks("yaml") for doc in yaml.safe_load_all(block)
            if isinstance(doc, dict) and "apiVersion" in doc]


def test_the_kubernetes_manifests_are_valid_against_the_kubernetes_schema():
    documents = kubernetes_documents()
    assert sorted(doc["kind"] for doc in documents) == ["Job", "Job", "PersistentVolumeClaim"]
    for doc in documents:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    # ...and the validator does catch a wrong manifest, so the check above can fail.
    job = next(doc for doc in documents if doc["kind"] == "Job")
    broken = {**job, "spec": {**job["spec"], "completionz": 4}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_indexed_job_grades_every_shard_and_the_merge_job_joins_them():
    grade, merge = sorted((doc for doc in kubernetes_documents() if doc["kind"] == "Job"),
                          key=lambda doc: "merge" in doc["metadata"]["name"])
    spec = grade["spec"]
    container = spec["template"]["spec"]["containers"][0]
    command = " ".join(container["command"] + container["args"])
    assert spec["completionMode"] == "Indexed"
    assert f"--shard auto/{spec['completions']}" in command and "$JOB_COMPLETION_INDEX" in command
    merge_command = " ".join(merge["spec"]["template"]["spec"]["containers"][0]["command"])
    assert "grader merge /data/shards/shard-*" in merge_command
    claims = {volume["persistentVolumeClaim"]["claimName"] for job in (grade, merge)
              for volume in job["spec"]["template"]["spec"]["volumes"]}
    assert claims == {"grader-data"}


def test_the_slurm_script_and_the_workflow_use_what_shard_auto_reads():
    array_script, merge_script = [block for block in scale_blocks("bash") if block.startswith("#!/bin/bash")]
    assert "#SBATCH --array=" in array_script and "--shard auto" in array_script
    assert "grader\" merge" in merge_script or "grader merge" in merge_script
    workflow = next(doc for block in scale_blocks("yaml") for doc in yaml.safe_load_all(block)
                    if isinstance(doc, dict) and "jobs" in doc)
    shard_job = workflow["jobs"]["shard"]
    assert shard_job["env"] == {"GRADER_SHARD_INDEX": "${{ strategy.job-index }}",
                                "GRADER_SHARD_COUNT": "${{ strategy.job-total }}"}
    assert any("--shard auto" in step.get("run", "") for step in shard_job["steps"])
    assert workflow["jobs"]["merge"]["needs"] == "shard"
    assert any("grader merge" in step.get("run", "") for step in workflow["jobs"]["merge"]["steps"])
