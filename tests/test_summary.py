"""summary.html, its charts and the feedback pages: grouping by misconception, rates, escaping.

Synthetic gradebooks and reports: nothing is graded here, so the file is fast.
"""

import re

import pytest

from grader.instructor.charts import bin_width, mistakes_figure, properties_figure, score_bins
from grader.render.html import feedback_html
from grader.instructor.gradebook import Gradebook, Row, columns_for, properties_for
from grader.instructor.summary import PLOTS, mistakes, op_stats, overview, property_stats, write_summary

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;'


def failure(op, check, kind="values", mistake="", diagnosis="", reason="wrong values"):
    return {"op": op, "check": check, "kind": kind, "mistake": mistake, "diagnosis": diagnosis, "reason": reason}


@pytest.fixture
def make_book(rubric):
    columns, properties = columns_for(rubric), properties_for(rubric)
    maxima = dict((key, maximum) for key, maximum in columns)
    points = {(key, name): value for key, name, value in properties}

    def make(students: dict, statuses: dict = None, load_errors: dict = None) -> Gradebook:
        """students: id -> failures; every other property passes."""
        rows = []
        for sid, failures in students.items():
            ops = dict(maxima)
            for f in failures:
                ops[f["op"]] -= points[f["op"], f["check"]]
            status = (statuses or {}).get(sid, "graded")
            if status != "graded":
                ops = {key: 0.0 for key in ops}
            rows.append(Row(sid, sum(ops.values()), sum(maxima.values()), ops, status,
                            (load_errors or {}).get(sid, ""), failures))
        return Gradebook(columns, sorted(rows, key=lambda row: row.id), properties=properties)

    return make


def test_one_misconception_is_one_group_whatever_its_examples_say(make_book):
    # The sentences quote each example's values; the stable id is what they share.
    book = make_book({
        "bob": [failure("mul", "same_shape", mistake="swapped_operands", diagnosis="with a (1, 1), b (1, 2) ..."),
                failure("mul", "broadcast", mistake="swapped_operands", diagnosis="with a (3,), b (2, 3) ...")],
        "alice": [failure("mul", "broadcast", mistake="swapped_operands", diagnosis="with a (2,), b (2,) ...")],
        "carol": [failure("matmul", "square", mistake="swapped_operands", diagnosis="grad_a is grad_b")],
    })
    groups = mistakes(book)
    assert [(g.op, g.mistake, g.students) for g in groups] == [
        ("mul", "swapped_operands", ["alice", "bob"]), ("matmul", "swapped_operands", ["carol"])]
    assert groups[0].properties == ["broadcast", "same_shape"]
    assert groups[0].example == "with a (2,), b (2,) ..."   # the first student's, in id order


def test_without_an_id_checks_group_by_op_property_and_kind_never_by_sentence(make_book):
    book = make_book({
        "a": [failure("embedding", "repeated_indices", diagnosis="index 0 appears 2 times ...")],
        "b": [failure("embedding", "repeated_indices", diagnosis="index 3 appears 4 times ...")],
        "c": [failure("embedding", "repeated_indices", kind="shape", diagnosis="")],
        "d": [failure("embedding", "multi_dim_indices", diagnosis="index 3 appears 4 times ...")],
    })
    groups = {g.title: (g.students, g.example) for g in mistakes(book)}
    assert groups == {"embedding.repeated_indices: values": (["a", "b"], "index 0 appears 2 times ..."),
                      "embedding.repeated_indices: shape": (["c"], "wrong values"),
                      "embedding.multi_dim_indices: values": (["d"], "index 3 appears 4 times ...")}


def test_an_op_left_as_a_stub_is_one_mistake_not_one_per_property(make_book):
    stub = [failure("sigmoid", name, kind="not_implemented", reason="Sigmoid.backward is not implemented yet")
            for name in ("values", "stability", "upstream", "no_mutation")]
    groups = mistakes(make_book({"a": stub, "b": stub[:2]}))
    assert [(g.title, g.students, len(g.properties)) for g in groups] == [
        ("sigmoid: not implemented", ["a", "b"], 4)]


def test_rates_and_mistakes_count_graded_submissions_and_statuses_count_everyone(make_book):
    book = make_book({"a": [failure("mul", "scalar")], "b": [], "c": [failure("mul", "scalar")],
                      "d": [failure("mul", "scalar")], "e": []},
                     statuses={"c": "load error", "d": "not implemented", "e": "missing"})
    info = overview(book)
    assert info["statuses"] == [("graded", 2), ("not implemented", 1), ("load error", 1), ("missing", 1)]
    assert info["students"] == 5 and info["graded"] == 2
    assert [g.students for g in mistakes(book)] == [["a"]]
    rates = {(key, name): (passed, share) for key, name, _, passed, share in property_stats(book)}
    assert rates["mul", "scalar"] == (1, 0.5) and rates["mul", "same_shape"] == (2, 1.0)
    mul = op_stats(book)[0]
    assert mul[0] == "mul" and mul[2] == (12 + 10) / 2 and mul[3] == 0.5


def test_student_text_is_escaped_on_the_summary_page(make_book, tmp_path):
    sid = 'a?b#c"d<e>'
    book = make_book({sid: [failure("mul", "scalar", diagnosis=HOSTILE)], HOSTILE: []},
                     statuses={HOSTILE: "load error"}, load_errors={HOSTILE: HOSTILE})
    html = write_summary(book, tmp_path).read_text()
    assert "<script>" not in html and "<img src=x" not in html and "&amp;amp;" in html
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 3  # id, load error, example
    assert '<a href="a%3Fb%23c%22d%3Ce%3E/feedback.html">a?b#c&#34;d&lt;e&gt;</a>' in html
    assert all((tmp_path / name).read_bytes()[:4] == b"\x89PNG" for name in PLOTS.values())


def test_the_summary_is_the_same_byte_for_byte_on_every_run(make_book, tmp_path):
    book = make_book({"a": [failure("mul", "scalar", mistake="no_reduction")], "b": []})
    for folder in ("one", "two"):
        write_summary(book, tmp_path / folder) if (tmp_path / folder).mkdir() is None else None
    for name in ["summary.html", *PLOTS.values()]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def _report(load_error="", output=""):
    check = {"name": "scalar", "passed": False, "points": 0.0, "max_points": 2.0, "doc": "one or both inputs 0-d",
             "reason": HOSTILE, "feedback": HOSTILE + "\nMinimal failing example:", "kind": "values",
             "diagnosis": HOSTILE, "mistake": ""}
    same = dict(check, name="broadcast")
    return {"submission": "x", "score": 0.0, "max_score": 4.0, "load_error": load_error, "student_output": output,
            "status": "graded", "ops": {"mul": {"score": 0.0, "max_score": 4.0, "checks": [check, same]}}}


def test_student_text_is_escaped_on_a_feedback_page():
    page = feedback_html(HOSTILE, _report(output=HOSTILE + "\n" * 3 + "</pre><b>bold</b>"))
    assert "<script>" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    # title, heading, the likely mistake of each check, the feedback shown once, the printed output
    assert page.count("&lt;script&gt;") == 6
    assert 'Same problem as <a href="#mul.scalar">mul.scalar</a> above.' in page
    failed = feedback_html("x", _report(load_error=HOSTILE))
    assert "No check could run" in failed and "What failed" not in failed and "<script>" not in failed


# --------------------------------------------------------------------------- charts

@pytest.mark.parametrize("maximum, width", [(100, 5), (12, 1), (17.5, 1), (40, 2), (50, 2.5), (1000, 50), (3, 1)])
def test_score_bins_have_round_widths_and_end_at_the_maximum(maximum, width):
    assert bin_width(maximum) == width
    edges = score_bins(maximum)
    assert edges[0] == 0 and edges[-1] == maximum and len(edges) - 1 <= 20


def _texts_inside(figure) -> None:
    """Everything drawn (labels, ticks, titles) lies inside the figure: nothing is cut off."""
    figure.canvas.draw()
    drawn, frame = figure.get_tightbbox(figure.canvas.get_renderer()), figure.bbox_inches
    assert frame.x0 - 0.01 <= drawn.x0 and drawn.x1 <= frame.x1 + 0.01, (drawn, frame)
    assert frame.y0 - 0.01 <= drawn.y0 and drawn.y1 <= frame.y1 + 0.01, (drawn, frame)


def test_long_labels_fit_in_the_charts_and_counts_get_integer_ticks():
    stats = [("softmax_ce", f"a_rather_long_property_name_{i}", 3.0, i, i / 30) for i in range(30)]
    _texts_inside(properties_figure(stats, 30))
    figure = mistakes_figure([(f"embedding.multi_dim_indices: not_a_float_{i}" * 2, 3 - i % 3) for i in range(15)])
    _texts_inside(figure)
    ticks = figure.axes[0].get_xticks()
    assert all(float(tick).is_integer() for tick in ticks) and len(ticks) <= 5


def test_a_shard_with_no_students_still_gets_a_page(make_book, tmp_path):
    book = make_book({})
    book.shard = {"index": 3, "count": 3, "students": 2}
    html = write_summary(book, tmp_path).read_text()
    assert "No students." in html and "Shard 3 of 3" in html
