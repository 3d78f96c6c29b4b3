"""The same submission always gets the same score and feedback, across processes."""

import json

from test_cli import run_grader


def test_grading_twice_gives_identical_json(tmp_path):
    outputs = []
    for run in range(2):
        out = tmp_path / f"run{run}.json"
        assert run_grader("grade", "tests/samples/broken/ops.py", "--json", out, "-q").returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["score"] < 100
