"""One submission's capstone: find its graph.py, start the runner for its ops and its capstone
together, and grade the part.

A submission has a capstone when a ``graph.py`` sits beside its ``ops.py`` (a folder, or that
ops.py) and the rubric gives the capstone points; then `grader grade`, `check`, `batch` and the
platforms grade it beside the ops, in the same runner (one worker), and report it apart under
"capstone". A submission without one is graded exactly as before: its report does not change.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from ...i18n import _
from ...run.submission import SubmissionError, decode_source, locate, read_submission
from . import KEY
from .runner import GRAPH_FILE, make_runner


def graph_file(path):
    """The graph.py beside the submission's ops.py, or None (a notebook, or no graph.py)."""
    try:
        ops = locate(path)
    except SubmissionError:
        return None
    candidate = ops.parent / GRAPH_FILE
    return candidate if ops.suffix == ".py" and candidate.is_file() else None


@dataclass(frozen=True)
class Graph:
    """The student's graph.py as text; `error` says why it cannot run (the student's mistake)."""

    source: str = ""
    error: str = ""


def read_graph(path) -> Graph:
    found = graph_file(path)
    if found is None:
        return Graph(error=_("no {graph} next to ops.py: submit both files").format(graph=GRAPH_FILE))
    try:
        data = found.read_bytes()
    except OSError as error:
        return Graph(error=_("{graph} cannot be read: {reason}").format(graph=GRAPH_FILE, reason=error.strerror))
    return Graph(*decode_source(data, GRAPH_FILE))


def graded(rubric, path) -> bool:
    """Whether the capstone is graded for this submission: points in the rubric, a graph.py beside ops.py."""
    return bool(rubric.parts.get(KEY)) and graph_file(path) is not None


def start_runner(submission, graph: Graph, in_process=False, private_dirs=(), fork_server=""):
    """The runner of the ops and the capstone; the ops' own runner if the graph file cannot run."""
    if graph.error:
        from ...run.factory import make_runner as ops_runner

        return ops_runner(submission, in_process=in_process, private_dirs=private_dirs, fork_server=fork_server)
    return make_runner(submission, graph.source, in_process=in_process, private_dirs=private_dirs,
                       fork_server=fork_server)


@functools.cache
def choose_oracle(public: bool):
    """The oracle, built once per process (a batch's grading process trains the reference once)."""
    from . import oracle

    return oracle.Numeric() if public else oracle.Reference()


def prepare(rubric) -> None:
    """Build now what grading any graph.py needs: the reference oracle with its curves, every case
    and its exact answers. A batch calls it before it forks its grading processes, which then
    inherit all of it instead of each building it again (a process grades up to 32 submissions,
    one with --in-process)."""
    from . import dags
    from .grade import draw_all
    from .network import NetCase

    chosen = choose_oracle(False)
    chosen.curve()
    chosen.mistaken_curves()
    for cases in draw_all(rubric).values():
        for case in cases:
            if isinstance(case, NetCase):
                chosen.grads(case)
            else:
                dags.values(case)
                dags.exact_grads(case)


def grade_part(runner, rubric, graph: Graph, public: bool = False, chosen=None):
    """The `CapstoneScore` of the student's code in `runner` (started by `start_runner`)."""
    from .grade import CapstoneScore, grade_capstone

    chosen = chosen or choose_oracle(public)
    curve = chosen.curve()
    alone = getattr(runner, "graph_alone", None)
    if graph.error or (runner.load_error and alone is None):   # every property fails, saying why
        from ...core.grade import CheckResult
        from .properties import PROPERTIES

        error, points = graph.error or runner.load_error, rubric.parts.get(KEY, {})
        checks = [CheckResult(name, 0.0, float(value), False, PROPERTIES[name], reason=error, feedback=error,
                              kind="error") for name, value in points.items()]
        return CapstoneScore(0.0, float(sum(points.values())), checks, reference_curve=curve, error=error)
    if runner.load_error:
        # ops.py does not load: the graph properties run on the grader's own ops, so they are graded
        # on the graph code alone (runner.make_runner); only the milestone needs the student's ops.
        spare = alone()
        try:
            return grade_capstone(spare, rubric, chosen.grads, curve, chosen.mistaken_curves,
                                  ops_error=runner.load_error)
        finally:
            spare.close()
    return grade_capstone(runner, rubric, chosen.grads, curve, chosen.mistaken_curves)


def grade_submission(path, rubric, public: bool = False, in_process: bool = False, private_dirs=()):
    """The `CapstoneScore` of the submission at `path` alone (`grader capstone`, the public tests)."""
    submission, graph = read_submission(path), read_graph(path)
    runner = start_runner(submission, graph, in_process=in_process, private_dirs=private_dirs)
    try:
        return grade_part(runner, rubric, graph, public)
    finally:
        runner.close()
