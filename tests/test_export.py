"""`grader export`: each LMS's import file against its documented rules, the roster, injection, --per-op.

The gradebooks here are written by gradebook.write_gradebook, the batch's own writer, so the
export reads exactly what a batch leaves (docs/lms.md runs a real batch and export end to end).
The header and row rules each format test checks are those of the LMS's importer or
documentation, cited in grader/instructor/lms/formats.py and docs/lms.md.
"""

import csv
import io
import json
import re

import pytest

import grader.cli.app as cli
from grader.instructor.gradebook import FORMULA_TRIGGERS, Gradebook, Row, write_gradebook

COLUMNS = [["mul", 12.0], ["add", 12.0], ["matmul", 16.0]]
STUDENTS = {"alice": {"mul": 12.0, "add": 12.0, "matmul": 16.0},
            "bob": {"mul": 0.0, "add": 6.0, "matmul": 0.0},
            "carol": {"mul": 12.0, "add": 0.0, "matmul": 8.5}}
ROSTER = ("submission,name,email,idnumber,username,lms_id,section\r\n"
          "alice,\"Liddell, Alice\",alice@uni.edu,1001,aliddell,501,A\r\n"
          "bob,Bob Jones,bob@uni.edu,1002,bjones,502,B\r\n"
          "carol,Carol Ng,carol@uni.edu,1003,cng,503,A\r\n")


def make_gradebook(folder, students=STUDENTS, columns=COLUMNS, shard=None):
    rows = [Row(sid, sum(ops.values()), sum(m for _, m in columns), dict(ops)) for sid, ops in sorted(students.items())]
    folder.mkdir(parents=True, exist_ok=True)
    write_gradebook(Gradebook(columns, rows, shard), folder)
    return folder


def export(capsys, *args):
    """(exit code, stdout, stderr) of `grader export ARGS`."""
    code = cli.main(["export", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def table(text: str) -> list:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # RFC 4180 line ends
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def graded(tmp_path):
    return make_gradebook(tmp_path / "graded")


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- each format

def test_canvas_matches_the_gradebook_importers_rules(graded, roster, capsys):
    code, out, err = export(capsys, graded, "--format", "canvas", "--roster", roster)
    assert code == 0 and err == ""
    header, points, *rows = table(out)
    # GradebookImporter#header?: Student, ID, then SIS User ID and SIS Login ID, and Section
    # as the last student column; everything after it is an assignment.
    assert re.search("Student", header[0]) and re.search("ID", header[1])
    assert re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3])
    assert re.search("Section", header[4])
    assert header[5:] == ["Backprop homework"]
    # The points row (row[0] =~ /Points Possible/) gives a new assignment its points.
    assert re.search("Points Possible", points[0]) and points[5:] == ["40"]
    assert rows == [["Liddell, Alice", "501", "1001", "aliddell", "A", "40"],
                    ["Bob Jones", "502", "1002", "bjones", "B", "6"],
                    ["Carol Ng", "503", "1003", "cng", "A", "20.5"]]


def test_canvas_matches_an_existing_assignment_by_its_id_and_refuses_a_title_it_would_drop(graded, capsys):
    code, out, _ = export(capsys, graded, "--format", "canvas", "--title", "Homework 3 (1234)")
    assert code == 0 and table(out)[0][5:] == ["Homework 3 (1234)"]
    # Canvas strips trailing "Final Score"-like columns before reading assignments.
    code, out, err = export(capsys, graded, "--format", "canvas", "--title", "Final Score")
    assert code == 2 and out == "" and err.count("\n") == 1 and "Canvas ignores" in err


def test_without_a_roster_each_submission_id_is_the_students_login(graded, capsys):
    _, out, _ = export(capsys, graded, "--format", "canvas")
    assert [row[3] for row in table(out)[2:]] == ["alice", "bob", "carol"]   # SIS Login ID
    _, out, _ = export(capsys, graded, "--format", "moodle")
    assert [row[0] for row in table(out)[1:]] == ["alice", "bob", "carol"]   # Username
    _, out, _ = export(capsys, graded, "--format", "blackboard")
    assert [row[0] for row in table(out)[1:]] == ["alice", "bob", "carol"]   # Username


def test_moodle_has_the_columns_its_import_maps_users_from(graded, roster, capsys):
    code, out, _ = export(capsys, graded, "--format", "moodle", "--roster", roster)
    header, *rows = table(out)
    # load_data.php maps a user by username, useridnumber or useremail, and skips a row whose
    # mapped cell is empty: every row has all three here, and a number in each grade cell.
    assert code == 0 and header == ["Username", "ID number", "Email address", "Backprop homework"]
    assert [row[:3] for row in rows] == [["aliddell", "1001", "alice@uni.edu"], ["bjones", "1002", "bob@uni.edu"],
                                         ["cng", "1003", "carol@uni.edu"]]
    assert [float(row[3]) for row in rows] == [40, 6, 20.5]


def test_blackboard_quotes_every_value_and_keys_on_the_username(graded, roster, capsys):
    code, out, _ = export(capsys, graded, "--format", "blackboard", "--roster", roster, "--title", "HW3 |4567")
    assert code == 0
    # "Data in each column of comma-delimited files must be contained within a quote character."
    for line in out.split("\r\n")[:-1]:
        assert re.fullmatch(r'"[^"]*"(,"[^"]*")*', line), line
    assert table(out) == [["Username", "HW3 |4567"], ["aliddell", "40"], ["bjones", "6"], ["cng", "20.5"]]


def test_plain_csv_has_the_submission_id_and_the_rosters_fields(graded, roster, capsys):
    _, out, _ = export(capsys, graded, "--format", "csv")
    assert table(out) == [["id", "Backprop homework"], ["alice", "40"], ["bob", "6"], ["carol", "20.5"]]
    _, out, _ = export(capsys, graded, "--format", "csv", "--roster", roster)
    assert table(out)[0] == ["id", "name", "email", "idnumber", "username", "lms_id", "section", "Backprop homework"]
    assert table(out)[1][:2] == ["alice", "Liddell, Alice"]


# --------------------------------------------------------------------------- --per-op

@pytest.mark.parametrize("fmt", ["canvas", "moodle", "blackboard", "csv"])
def test_per_op_gives_one_column_per_op_the_gradebook_holds(tmp_path, capsys, fmt):
    # Ops the kit does not have today (a capstone), in the gradebook's order: nothing is hard-coded.
    columns = [["capstone", 30.0], ["mul", 12.0]]
    graded = make_gradebook(tmp_path / "g", {"ann": {"capstone": 25.0, "mul": 3.0}}, columns)
    code, out, _ = export(capsys, graded, "--format", fmt, "--per-op", "--title", "HW")
    rows = table(out)
    assert code == 0 and rows[0][-2:] == ["HW: capstone", "HW: mul"]
    assert rows[-1][-2:] == ["25", "3"]
    if fmt == "canvas":
        assert rows[1][-2:] == ["30", "12"]


# --------------------------------------------------------------------------- the roster

def test_each_roster_problem_is_one_line_and_the_rest_is_still_exported(tmp_path, capsys):
    graded = make_gradebook(tmp_path / "g", {sid: {"mul": 1.0} for sid in
                                             ("ann", "ben", "cat", "dan", "eve", "fay")}, [["mul", 12.0]])
    roster = tmp_path / "roster.csv"
    roster.write_text("Submission , EMAIL,,\n"          # a spreadsheet's trailing empty columns
                      "ann,ann@x\n"
                      "cat,cat@x\ncat,cat2@x\n"           # one submission on two rows
                      "dan,same@x\neve,same@x\n"          # two submissions, one LMS identity
                      "fay,\n"                            # no identity Moodle can use
                      "zed,zed@x\n", encoding="utf-8")    # a roster entry without a submission
    code, out, err = export(capsys, graded, "--format", "moodle", "--roster", roster)
    assert code == 0
    lines = err.splitlines()
    assert all(line.startswith("grader: warning: roster: ") for line in lines)
    assert len(lines) == 5, err
    for needle in ("'ben' has no roster entry", "'cat' is on 2 rows", "'dan', 'eve' have the same email",
                   "'fay' has none of", "'zed' has no submission"):
        assert sum(needle in line for line in lines) == 1, (needle, err)
    assert [row[2] for row in table(out)[1:]] == ["ann@x"]


def test_the_same_gradebook_and_roster_give_the_same_bytes(graded, roster, tmp_path, capsys):
    shuffled = tmp_path / "shuffled.csv"
    head, *body = ROSTER.splitlines()
    shuffled.write_text("\n".join([head, *reversed(body)]) + "\n", encoding="utf-8-sig")  # with a BOM
    first = export(capsys, graded, "--format", "canvas", "--roster", roster, "--per-op")
    again = export(capsys, graded, "--format", "canvas", "--roster", shuffled, "--per-op")
    assert first == again and first[0] == 0


# --------------------------------------------------------------------------- injection

@pytest.mark.parametrize("fmt", ["canvas", "moodle", "blackboard", "csv"])
def test_no_cell_can_run_as_a_spreadsheet_formula(tmp_path, capsys, fmt):
    hostile = ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "  =1+1"]
    graded = make_gradebook(tmp_path / "g", {sid: {"mul": 1.0} for sid in hostile}, [["mul", 12.0]])
    roster = tmp_path / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "name", "email", "idnumber", "username", "lms_id", "section"])
        for i, sid in enumerate(hostile):
            writer.writerow([sid, *(f"{trigger}cmd{i}" for trigger in "=+-@@=")])
    for extra in ([], ["--roster", roster]):
        code, out, _ = export(capsys, graded, "--format", fmt, "--title", "=1+2", "--per-op", *extra)
        assert code == 0
        cells = [cell for row in table(out) for cell in row]
        assert len(cells) > 10
        for cell in cells:
            assert not cell.lstrip().startswith(FORMULA_TRIGGERS), cell


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("case", ["missing", "not-a-batch", "shard", "format", "no-roster", "roster-dir",
                                  "roster-no-submission", "roster-unknown", "roster-not-utf8", "roster-empty",
                                  "roster-semicolons", "roster-twice",
                                  "empty-title", "out-is-a-folder", "out-in-no-folder"])
def test_bad_input_is_one_line_and_exit_2(case, graded, roster, tmp_path, capsys):
    args = [graded, "--format", "canvas"]
    bad = tmp_path / "bad.csv"
    if case == "missing":
        args[0] = tmp_path / "nope"
    elif case == "not-a-batch":
        args[0] = tmp_path
    elif case == "shard":
        args[0] = make_gradebook(tmp_path / "shard", shard={"index": 1, "count": 2, "students": 6})
    elif case == "format":
        args[2] = "gradescope"
    elif case == "no-roster":
        args += ["--roster", tmp_path / "nope.csv"]
    elif case == "roster-dir":
        args += ["--roster", tmp_path]
    else:
        contents = {"roster-no-submission": "email\nx@y\n", "roster-unknown": "submission,emial\nalice,x\n",
                    "roster-not-utf8": "submission,name\nalice,Jos\xe9\n".encode("latin-1"), "roster-empty": "\n\n",
                    "roster-semicolons": "submission;email\nalice;a@x\n", "roster-twice": "submission,email,Email\n"}
        if case in contents:
            data = contents[case]
            bad.write_bytes(data if isinstance(data, bytes) else data.encode())
            args += ["--roster", bad]
    if case == "empty-title":
        args += ["--title", "  "]
    out_file = tmp_path / "out.csv"
    if case == "out-in-no-folder":   # with a roster problem too: the failure is still the only line
        bad.write_text("submission,email\nalice,a@x\nzed,z@x\n")
        args += ["--roster", bad]
        out_file = tmp_path / "no-such-folder" / "out.csv"
    args += ["--out", tmp_path if case == "out-is-a-folder" else out_file]
    code, out, err = export(capsys, *args)
    assert code == 2, (case, err)
    assert ".tmp" not in err   # the user's path, not a temporary's
    assert err.startswith("grader: ") and err.count("\n") == 1, err
    assert out == "" and not out_file.exists()


def test_out_writes_the_file_and_says_how_many_students(graded, roster, tmp_path, capsys):
    out_file = tmp_path / "canvas.csv"
    code, out, _ = export(capsys, graded, "--format", "canvas", "--roster", roster, "--out", out_file)
    assert code == 0 and out == f"Wrote 3 of 3 students to {out_file} (canvas)\n"
    assert table(out_file.read_bytes().decode("utf-8"))[2][0] == "Liddell, Alice"
    # gradebook.json is what was read: its ids, untouched.
    assert [s["id"] for s in json.loads((graded / "gradebook.json").read_text())["students"]] == sorted(STUDENTS)
