"""Grader for the backprop homework kit: properties, oracles, judge, rubric, reports."""

__version__ = "0.1.0"
