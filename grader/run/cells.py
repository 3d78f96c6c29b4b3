"""The names that tie the generated notebook, the answer extraction and the scoring together.

nbgrader identifies cells by ``grade_id`` (``^[a-zA-Z0-9_-]*$``, unique in a notebook), so every
cell the kit generates gets one derived from the op's key. Only names here, no op list: the
run tier reads notebooks without knowing which ops a course has.
"""

ASSIGNMENT = "backprop"           # nbgrader assignment id: source/backprop/
NOTEBOOK = "backprop"             # source/backprop/backprop.ipynb
SETUP_ID = "setup"                # locked cell with the imports the answer cells rely on
PUBLIC_CHECKS_ID = "public_checks"  # locked cell defining check(), which the check cells call


def answer_id(op_key: str) -> str:
    """The student's answer cell: the op's class (solution=True)."""
    return f"answer_{op_key}"


def check_id(op_key: str) -> str:
    """The visible, locked cell that runs the public checks."""
    return f"check_{op_key}"


def score_id(op_key: str) -> str:
    """The graded cell (grade=True, locked): its value is the op's score."""
    return f"score_{op_key}"


def op_key_of_score_id(grade_id: str):
    """The op key a graded cell scores ("" for a cell that is not a score cell)."""
    prefix = score_id("")
    return grade_id[len(prefix):] if grade_id.startswith(prefix) else ""


def is_graded_code(grade_id) -> bool:
    """Whether a cell's code is graded: the setup cell and every answer cell."""
    return isinstance(grade_id, str) and (grade_id == SETUP_ID or grade_id.startswith(answer_id("")))
