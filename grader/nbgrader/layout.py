"""The names that tie the generated notebook, the answer extraction and the scoring together.

nbgrader identifies cells by ``grade_id`` (``^[a-zA-Z0-9_-]*$``, unique in a notebook), so every
cell the kit generates gets one derived from the op's key in grader/contract.py.
"""

from ..contract import OP_BY_KEY

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


def op_of_score_id(grade_id: str):
    """The OpSpec a graded cell scores, or None for a cell that is not one of ours."""
    prefix = score_id("")
    if not grade_id.startswith(prefix):
        return None
    return OP_BY_KEY.get(grade_id[len(prefix):])


def graded_code_ids() -> set:
    """The cells whose code is graded: the setup cell and every answer cell."""
    return {SETUP_ID} | {answer_id(key) for key in OP_BY_KEY}
