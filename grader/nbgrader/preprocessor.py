"""`TrustedScores`: the autograde step that decides the backprop notebook's scores.

nbgrader's own way to score a notebook cannot be trusted here: it runs the student's cells and
then the hidden tests in one Jupyter kernel, with the instructor's privileges, so a cell can
patch numpy, the grader or ``subprocess`` before the tests run, read the solutions, or edit the
gradebook (nbgrader's FAQ: it does not protect against unsafe code). nbgrader then reads each
graded cell's value as its score (nbgrader/utils.py, ``determine_grade``).

`TrustedScores` takes the place of nbgrader's `Execute` in ``Autograde.autograde_preprocessors``
(nbgrader_config.py, written by ``grader nbgrader init``). For a notebook that holds the kit's
graded cells (``score_<op>``), it starts no kernel at all. It reads the answer cells from the
**submitted file itself** (``submitted/<student>/<assignment>/<notebook>.ipynb``), grades them
with the sandboxed grader in this process (scoring.py), and writes each graded cell's outputs:
the op's checks, reasons and diagnoses as text on stdout, then the score as a plain numeric
``execute_result``, the one form of partial credit nbgrader reads. Nothing else is left in
those outputs (no error, no stderr, either of which nbgrader would score 0); the text is
escaped for a notebook's stream output (scoring.py, text.py). The capstone's graded cell
(capstone_cells.py) gets the same, graded in the same runner, with its loss plot as a PNG
between the text and the score. SaveAutoGrades,
which comes after it, then records exactly these values.

So no student code runs outside the sandbox during autograde, and nothing a student's cell
could do in a kernel can change a score: there is no kernel. Any other notebook of the course is
executed as usual (this class *is* nbgrader's Execute for them, with the same settings).
"""

import base64
import os

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Unicode

from ..i18n import _
from ..ops import registry
from ..ops.capstone import KEY
from ..render.escape import terminal
from ..run.cells import op_key_of_score_id
from .capstone_cells import SCORE_ID


def _check_points(cell, what: str, max_score: float) -> None:
    """A graded cell must be worth what the rubric gives: nbgrader would record a wrong total (or
    fail on a score above the points)."""
    points = float(cell.metadata.nbgrader["points"])
    if max_score != points:
        raise RuntimeError(_(
            "cell {cell} is worth {points:g} points but the rubric gives {what} {max_score:g}: regenerate the "
            "notebook with `grader nbgrader init` from the same rubric, then `nbgrader generate_assignment --force`")
            .format(cell=cell.metadata.nbgrader["grade_id"], points=points, what=what, max_score=max_score))


def _outputs(text: str, score: float, points: float, png: bytes = b"") -> list:
    """The graded cell's outputs: the feedback text, the loss plot if any, the score nbgrader reads."""
    value = min(max(float(score), 0.0), float(points))  # above the points fails the submission
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
    if png:
        outputs.append(nbformat.v4.new_output("display_data", data={
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": _("<the training loss plot: yours and the reference's>")}))
    outputs.append(nbformat.v4.new_output("execute_result", data={"text/plain": repr(value)}, execution_count=None))
    return outputs


def loss_plot(part) -> bytes:
    """The capstone's loss plot beside the reference curve, as in feedback.md (render/capstone.py)."""
    from ..render.capstone import loss_png, to_json

    return loss_png(to_json(part))


class TrustedScores(Execute):
    """Score the kit's graded cells from the submitted file; execute any other notebook."""

    rubric = Unicode("", help="The rubric file the notebook's points come from "
                              "(empty: the kit's grader/core/rubric.toml).").tag(config=True)
    shrink = Bool(True, help="Shrink each failed check to a minimal example for the feedback "
                             "(slower only for failing submissions).").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        contract = registry.select().contract  # $GRADER_COURSE, else the kit's ops
        graded = [cell for cell in nb.cells
                  if utils.is_grade(cell) and op_key_of_score_id(cell.metadata.nbgrader["grade_id"]) in contract]
        capstone = [cell for cell in nb.cells if utils.is_grade(cell) and cell.metadata.nbgrader["grade_id"] == SCORE_ID]
        if not graded and not capstone:
            return super().preprocess(nb, resources, km=km)
        from .scoring import grade_parts

        path = self._submitted_notebook(resources)
        result = grade_parts(path, self.rubric, self.shrink, capstone=bool(capstone))
        report, texts = result.report, result.texts
        for cell in graded:
            op = contract[op_key_of_score_id(cell.metadata.nbgrader["grade_id"])]
            score = report.ops.get(op.key)
            _check_points(cell, op.class_name, score.max_score if score else 0)
            cell.outputs = _outputs(texts[op.key], score.score, score.max_score)
        for cell in capstone:
            part = result.capstone
            _check_points(cell, "the capstone", part.max_score)
            cell.outputs = _outputs(texts[KEY], part.score, part.max_score, loss_plot(part))
        total = report.score + (result.capstone.score if capstone else 0.0)
        most = report.max_score + (result.capstone.max_score if capstone else 0.0)
        # The student id is a folder name: shown in the instructor's terminal, so escaped for it.
        self.log.info("%s: %g/%g points from the trusted grader", terminal(resources["nbgrader"]["student"]),
                      total, most)
        return nb, resources

    def _submitted_notebook(self, resources) -> str:
        """The file the student submitted: what is graded, whatever a kernel would have done."""
        info = resources["nbgrader"]
        coursedir = self._coursedir()
        folder = coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"])
        return os.path.join(folder, f"{info['notebook']}.ipynb")

    def _coursedir(self):
        node = self.parent  # the exporter, whose parent is the Autograde converter
        while node is not None:
            if getattr(node, "coursedir", None) is not None:
                return node.coursedir
            node = node.parent
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)
