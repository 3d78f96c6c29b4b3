"""Public tests: one per graded property of each op, on the same examples as the final grade.

Run ``pytest`` (everything), ``pytest --op matmul`` or ``pytest -k matmul`` (one op). A failure
shows the smallest example that fails, what your gradient was and what it should be, and a
sentence naming the likely mistake. See README.md.
"""

from grader.pytest_plugin import property_tests

test_backprop = property_tests()
