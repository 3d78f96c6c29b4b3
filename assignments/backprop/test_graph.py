"""Public tests of the capstone: your graph.py (backward, sgd_step), then the whole network.

Run ``pytest tests/test_graph.py`` (or ``pytest --op capstone``). The graph tests run your
``backward`` on random graphs of the grader's own linear ops, so they pass or fail on your graph
code alone; ``milestone`` runs network.py on your ops and your tape, checks its gradients and
trains it. See README.md, "The capstone".
"""

from grader.pytest_plugin import capstone_tests

test_capstone = capstone_tests()
