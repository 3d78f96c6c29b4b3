"""The capstone in the notebook: its cells, and the graph.py they are graded as.

The notebook's capstone section mirrors the two files a ``grader batch`` student hands in beside
ops.py (handout section 5), built from the kit like the ops' cells (notebook.py):

* ``graph_given`` (locked): the given tape, ``Tensor``, ``Node`` and ``Tape`` of
  solutions/backprop/graph.py, i.e. that file without its functions to write;
* ``graph_answer`` (the answer cell): ``backward(loss)`` and ``sgd_step`` exactly as the
  solutions write them, solution markers included, so ``nbgrader generate_assignment`` turns them
  into the stubs of the released graph.py;
* ``network_given`` (locked): the given network and its training (assignments/backprop/network.py),
  then ``train_capstone`` (locked), which trains it here on the notebook's own ops and tape;
* ``score_capstone`` (graded, locked), worth the rubric's capstone points; its hidden part is
  hidden.score_capstone (``nbgrader validate``); during autograde TrustedScores grades it.

`graph_source` is the other direction: the graph.py a submitted notebook is graded as. It is the
kit's given tape (never the submitted copy of a locked cell), then the student's answer cells,
each compiled as ``graph.py`` so that error lines are the cell's own. The sandbox's import scan
reads a ``__run_cell__`` call's text as a cell (sandbox/untrusted/imports.py), so a walker that
imports, say, ``graphlib`` in its cell works as it would in a file.
"""

import ast

from ..i18n import _
from ..instructor.stubs import BEGIN
from ..paths import solutions_path
from ..run.answers import code_cells

GIVEN_ID, ANSWER_ID, NETWORK_ID, TRAIN_ID, SCORE_ID = ("graph_given", "graph_answer", "network_given",
                                                       "train_capstone", "score_capstone")
GRAPH_FILE = "graph.py"
RUN_CELL = '''

def __run_cell__(source, cell):
    """One answer cell of the notebook, compiled as graph.py (its errors name the cell's lines)."""
    exec(compile(source, "graph.py", "exec"), globals())
'''

TRAIN = """\
# Train the network on your ops and your backward/sgd_step, as the milestone does (the graded
# cell below first checks every gradient of the network against the hidden reference).
import types

_notebook = types.SimpleNamespace(**globals())   # this notebook's classes and functions, as ops and graph
losses = train(_notebook, _notebook)
print(f"loss {{losses[0]:.4g}} -> {{losses[-1]:.4g}} after {{len(losses)}} steps; the milestone needs <= {threshold:g}")
"""


def split_graph(source: str) -> tuple:
    """(given, answer) of a graph.py: the top-level functions holding a solution region are the
    answer, the rest (docstring, imports, the tape's classes) is given."""
    lines = source.splitlines()
    tree = ast.parse(source)
    answer, taken = [], set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            first, last = node.lineno - 1, node.end_lineno
            while last < len(lines) and (not lines[last].strip() or lines[last].startswith((" ", "\t"))):
                last += 1   # its closing ### END SOLUTION is indented but past the AST's end
            if any(line.strip() == BEGIN for line in lines[first:last]):
                answer.append("\n".join(lines[first:last]).rstrip())
                taken.update(range(first, last))
    given = "\n".join(line for number, line in enumerate(lines) if number not in taken)
    return given.rstrip() + "\n", "\n\n\n".join(answer)


def kit_graph() -> str:
    return solutions_path().with_name(GRAPH_FILE).read_text(encoding="utf-8")


def network_text() -> str:
    from ..ops.capstone.runner import network_path

    return network_path().read_text(encoding="utf-8")


def graph_source(notebook: dict, given: str = "") -> str:
    """The graph.py a submitted notebook (its JSON) is graded as: the kit's given tape (`given`,
    else the solutions' file's), then every ``graph_answer`` cell in notebook order."""
    given = given or split_graph(kit_graph())[0]
    calls = [f"__run_cell__({source!r}, {ANSWER_ID!r})"
             for _grade_id, source in code_cells(notebook, lambda grade_id: grade_id == ANSWER_ID)]
    return given + RUN_CELL + "\n".join(calls) + "\n"


def score_source(points: float, rubric_path: str = "") -> str:
    from .notebook import HIDDEN_BEGIN, HIDDEN_END

    rubric = f", rubric={rubric_path!r}" if rubric_path else ""
    return (f"# The hidden grader scores the capstone: this cell's value is your score out of {points:g}.\n"
            f"{HIDDEN_BEGIN}\n"
            f"from grader.nbgrader.hidden import score_capstone\n"
            f"score_capstone(globals(){rubric})\n"
            f"{HIDDEN_END}")


def capstone_cells(rubric, rubric_path: str, meta) -> list:
    """The notebook's capstone section (see the module docstring); [] when the rubric gives it no points."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    from ..ops.capstone import KEY
    from ..ops.capstone.grade import THRESHOLD

    points = float(sum((rubric.parts or {}).get(KEY, {}).values()))
    if not points:
        return []
    given, answer = split_graph(kit_graph())
    title = _("## Capstone: `backward(loss)` and `sgd_step` ({points:g} points)").format(points=points)
    intro = _("This is graph.py of handout section 5: the given tape, then your `backward(loss)` and "
              "`sgd_step` in the answer cell, then the given network, trained on your ops and your tape. "
              "The graph logic is graded on the grader's own ops, so a mistake in an op above costs "
              "only that op and the milestone.")
    return [new_markdown_cell(f"{title}\n\n{intro}", id="title-capstone"),
            new_code_cell(given.rstrip("\n"), id=GIVEN_ID.replace("_", "-"), metadata=meta(GIVEN_ID, locked=True)),
            new_code_cell(answer, id=ANSWER_ID.replace("_", "-"), metadata=meta(ANSWER_ID, solution=True)),
            new_code_cell(network_text().rstrip("\n"), id=NETWORK_ID.replace("_", "-"),
                          metadata=meta(NETWORK_ID, locked=True)),
            new_code_cell(TRAIN.format(threshold=THRESHOLD).rstrip("\n"), id=TRAIN_ID.replace("_", "-"),
                          metadata=meta(TRAIN_ID, locked=True)),
            new_code_cell(score_source(points, rubric_path), id=SCORE_ID.replace("_", "-"),
                          metadata=meta(SCORE_ID, grade=True, locked=True, points=points))]
