"""Reading a submission: what the student handed in is graded, however it was saved.

* A notebook is graded from the kit's answer cells (or, for any other notebook, from every code
  cell), each cell on its own, in the sandbox like a .py: the kit's locked check cells import
  ``grader`` and ``rich``, which the sandbox refuses, and must cost nothing.
* A file Python can read is read as Python reads it (UTF-8, a byte-order mark, a PEP 263
  coding line); one it cannot gets a report scoring 0 that says "save ops.py as UTF-8", from
  every runner `make_runner` gives, never a usage error.
"""

import json
from pathlib import Path

import pytest

from conftest import ROOT, SOLUTION_SOURCE
from grader.core.grade import grade
from grader.run.factory import Unloadable, make_runner
from grader.run.submission import read_submission

PATIENT = dict(call_timeout=60.0, op_timeout=120.0)


def graded(submission, reference, rubric, bank, in_process=False):
    runner = make_runner(submission, in_process=in_process)
    if not in_process and hasattr(runner, "call_timeout"):
        runner.close()
        from grader.sandbox.sandbox_runner import SandboxRunner
        runner = SandboxRunner(submission.source, submission.filename, **PATIENT)
    try:
        return grade(submission.filename, runner, reference, rubric, bank)
    finally:
        runner.close()


def kit_notebook_with_answers() -> dict:
    """The kit's nbgrader notebook as a student hands it in: every answer cell filled in with
    the reference's class (markers gone), the locked check and graded cells untouched."""
    pytest.importorskip("nbformat")
    from grader.nbgrader.notebook import build_notebook
    from grader.ops import load_rubric

    notebook = build_notebook(SOLUTION_SOURCE, "Backprop\n", ROOT / "assignments/backprop/README.md", load_rubric())
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                    if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION",
                                                            "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"))
    return notebook


def test_the_kits_notebook_scores_full_in_the_sandbox(tmp_path, reference, rubric, bank):
    notebook = kit_notebook_with_answers()
    assert any("from grader" in cell.source for cell in notebook.cells)   # the check cells are there
    path = tmp_path / "backprop.ipynb"
    path.write_text(json.dumps(notebook))
    submission = read_submission(path)
    sandboxed = graded(submission, reference, rubric, bank)
    assert sandboxed.score == sandboxed.max_score, sandboxed.load_error or sandboxed.student_output
    assert sandboxed.to_json() == graded(submission, reference, rubric, bank, in_process=True).to_json()


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}


def test_another_notebook_loses_only_the_cells_the_sandbox_refuses(tmp_path, reference, rubric, bank):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# My backprop"},
             code_cell("%matplotlib inline\nimport numpy as np"),
             code_cell(SOLUTION_SOURCE),
             code_cell("from grader.core.bank import Bank\nprint('checks here')"),
             # An allowed package (rich.text imports everything it needs at import, so it works
             # from a 0700 install too, where the worker imports it before the user drop).
             code_cell("from rich.text import Text\nprint(Text('done').plain)")]
    path = tmp_path / "mine.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    report = graded(read_submission(path), reference, rubric, bank)
    assert report.score == report.max_score, report.load_error
    assert "cell 4 raised PermissionError: the sandbox does not allow importing grader.core.bank: " \
           "it is the grader's own code" in report.student_output, report.student_output
    assert "done" in report.student_output


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n# caf\xe9\n", b"\r\n"],
                         ids=["bom", "latin-1 declared", "crlf"])
def test_a_file_python_can_read_is_read_as_python_reads_it(tmp_path, prefix, grade_source):
    path = tmp_path / "ops.py"
    path.write_bytes(prefix + SOLUTION_SOURCE.replace("\n", "\r\n" if prefix == b"\r\n" else "\n").encode())
    submission = read_submission(path)
    assert submission.error == ""
    report = grade_source(submission.source)
    assert report.score == report.max_score, report.load_error


@pytest.mark.parametrize("name, data", [("ops.py", b"import numpy as np\n# caf\xe9\n"),
                                        ("ops.py", b"# coding: klingon\n"),
                                        ("backprop.ipynb", b'{"cells": [\xff]}'),
                                        ("backprop.ipynb", b'{"cells": '),
                                        ("backprop.ipynb", b'[1, 2]')])
def test_a_file_that_cannot_be_read_gets_a_zero_report_saying_what_to_do(tmp_path, name, data, reference,
                                                                        rubric, bank):
    path = tmp_path / name
    path.write_bytes(data)
    submission = read_submission(path)
    assert submission.error and "\n" not in submission.error
    for in_process in (False, True):
        runner = make_runner(submission, in_process=in_process)
        assert isinstance(runner, Unloadable)   # nothing of it ever runs
        report = grade(name, runner, reference, rubric, bank)
        assert report.score == 0 and report.load_error == submission.error
    if name == "ops.py" and b"klingon" not in data:
        assert submission.error.startswith("ops.py is not UTF-8 text (byte 0xe9 at position 24)")
    assert "save" in submission.error and "submit it again" in submission.error
