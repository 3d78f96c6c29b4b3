"""The capstone: the student's tape walker (graph.py) and the seeds' network, trained.

A *part* of the assignment graded beside the seven ops, with points of its own (`POINTS`, the
rubric's ``[points.capstone]``). Graph logic is graded on the grader's own linear ops (dags.py,
judge.py, diagnose.py), so an op bug never costs it; the milestone runs the given network on the
student's ops and tape (network.py), then trains it (grade.py). The student's code runs in the
ops' runner (runner.py: the sandbox worker's capstone request, grader/sandbox/untrusted/capstone.py).
This module stays light: the registry imports it for the points.
"""

from .properties import POINTS, PROPERTIES

KEY = "capstone"
PARTS = {KEY: POINTS}   # what the registry hands the rubric: {part key: {property: default points}}
