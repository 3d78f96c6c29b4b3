"""gradebook.csv and gradebook.json: statuses, the row of maxima, no formula injection, merging.

Synthetic gradebooks: nothing is graded here, so the file is fast.
"""

import csv
import io

import pytest

from grader.instructor.gradebook import MAX_ROW, Gradebook, GradebookError, Row, columns_for, csv_text, merge, \
    properties_for, read_gradebook, report_fits, row_from_report, write_gradebook
from grader.core.status import STATUSES


@pytest.fixture
def layout(rubric):
    return columns_for(rubric), properties_for(rubric)


def book(layout, ids, status="graded"):
    columns, properties = layout
    total = sum(maximum for _, maximum in columns)
    rows = [Row(sid, total, total, {key: maximum for key, maximum in columns}, status) for sid in ids]
    return Gradebook(columns, rows, properties=properties)


def parsed(gradebook) -> list:
    return list(csv.reader(io.StringIO(csv_text(gradebook), newline="")))


def test_the_csv_has_a_status_column_and_a_row_of_maxima(layout):
    rows = parsed(book(layout, ["alice"], status="load error"))
    assert rows[0] == ["id", "status", "mul", "add", "max", "sigmoid", "matmul", "softmax_ce", "embedding", "total"]
    assert rows[1] == [MAX_ROW, "", "12", "12", "14", "12", "16", "17", "17", "100"]
    assert rows[2][:2] == ["alice", "load error"]


@pytest.mark.parametrize("sid", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1",
                                 " =1+1", "\n@x"])
def test_an_id_a_spreadsheet_would_evaluate_is_neutralised(layout, sid):
    rows = parsed(book(layout, [sid, "bob"]))
    assert len(rows) == 4  # quoting keeps one row per student, whatever the id holds
    assert rows[2][0] == "'" + sid and rows[3][0] == "bob"


@pytest.mark.parametrize("sid", ["alice", "o'brien", "x=1", "a-b", "2024_student", "Ünïcode"])
def test_ordinary_ids_are_left_as_they_are(layout, sid):
    assert parsed(book(layout, [sid]))[2][0] == sid


def test_the_json_keeps_the_raw_id_and_the_status(layout, tmp_path):
    original = book(layout, ["=1+1"], status="timeout")
    write_gradebook(original, tmp_path)
    again = read_gradebook(tmp_path)
    assert again.rows[0].id == "=1+1" and again.rows[0].status == "timeout"
    assert again.properties == original.properties and again.columns == original.columns


def _report(status):
    report = {"score": 0.0, "max_score": 3.0, "ops": {"mul": {"score": 0.0, "max_score": 3.0, "checks": [
        {"name": "same_shape", "passed": False, "kind": "values", "diagnosis": "swapped",
         "mistake": "swapped_operands", "reason": "grad_a is wrong"}]}}}
    if status is not None:
        report["status"] = status
    return report


def test_a_report_without_a_known_status_is_regraded_on_resume():
    columns = [["mul", 3.0]]
    assert report_fits(_report("graded"), columns)
    assert all(report_fits(_report(status), columns) for status in STATUSES)
    assert not report_fits(_report(None), columns)       # written before statuses existed
    assert not report_fits(_report("fine"), columns)


def test_a_row_keeps_what_groups_a_mistake():
    row = row_from_report("alice", _report("graded"))
    assert row.status == "graded"
    assert row.failures == [{"op": "mul", "check": "same_shape", "kind": "values", "mistake": "swapped_operands",
                             "diagnosis": "swapped", "reason": "grad_a is wrong"}]


def test_merge_refuses_gradebooks_of_different_properties(layout):
    columns, properties = layout
    other = Gradebook(columns, [], properties=properties[1:])
    with pytest.raises(GradebookError, match="different rubric"):
        merge([book(layout, ["a"]), other], ["one", "two"])
    assert [row.id for row in merge([book(layout, ["b"]), book(layout, ["a"])], ["one", "two"]).rows] == ["a", "b"]
