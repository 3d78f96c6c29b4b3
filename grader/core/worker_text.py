"""The worker's one-line account of a student's exception, in the reader's language.

The code that calls the student's (sandbox/untrusted/calls.py) cannot import the grader, so it
says what happened in one English line: ``"Cls.backward raised ValueError: ... (ops.py, line 41)"``
or ``"importing ops.py raised ..."``. Its frame is the kit's own words and the rest is the
student's; `localized` translates the frame and keeps the rest as it came (it is escaped later,
for the medium that shows it, like any student text). A line of any other form comes back as is.
In English the result is the line itself, byte for byte.
"""

import re

from ..i18n import N_, _

# The two frames calls.describe_exception writes; `where` is the kit's ("Cls.forward", "importing
# ops.py"), so a student's message that itself says "raised" never moves the split.
_RAISED = re.compile(r"(?:importing (?P<file>[\w.-]+\.(?:py|ipynb))|(?P<call>[A-Za-z_]\w*\.(?:forward|backward)))"
                     r" raised (?P<rest>.*)", re.S)


# The capstone's harness (sandbox/untrusted/capstone.py) names the step of the student's tape code
# that raised: code names stay as they are, the two steps said in words are translated.
_CAPSTONE_RAISED = re.compile(r"(?:importing (?P<file>[\w.-]+\.py)|(?P<call>backward|sgd_step|Tensor\(\)|Tape\(\)"
                              r"|Tape\.apply|training|the network's forward)) raised (?P<rest>.*)", re.S)
_STEPS = {"training": N_("training"), "the network's forward": N_("the network's forward")}


def localized(line: str, capstone: bool = False) -> str:
    """`line` with the kit's frame of it in the language in force (see the module's docstring);
    `capstone`: a line of the capstone's harness."""
    match = (_CAPSTONE_RAISED if capstone else _RAISED).fullmatch(line or "")
    if match is None:
        return line
    call = match["call"]
    where = _("importing {filename}").format(filename=match["file"]) if match["file"] else \
        _(_STEPS[call]) if call in _STEPS else call
    return _("{where} raised {error}").format(where=where, error=match["rest"])
