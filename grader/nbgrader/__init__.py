"""nbgrader integration: a ready course for the backprop assignment, scored by the trusted grader.

* ``grader nbgrader init COURSE`` (command.py, course.py) writes ``nbgrader_config.py`` and
  ``source/backprop/backprop.ipynb``, generated from the kit (notebook.py; cell ids in layout.py).
* During ``nbgrader autograde``, `TrustedScores` (preprocessor.py) takes the place of nbgrader's
  Execute: it reads the student's answer cells from the submitted file (answers.py), grades them
  with the sandboxed grader (scoring.py) and writes each op's score and feedback (text.py) into
  its graded cell. No kernel runs, so nothing in a notebook can change a score.
* sanitize.py keeps a copied cell from aborting the batch; hidden.py is what the graded cells'
  hidden part calls when the instructor's notebook runs in a kernel (``nbgrader validate``).

Only preprocessor.py and sanitize.py import nbgrader at import time, and only nbgrader itself
loads them (through nbgrader_config.py).
"""
