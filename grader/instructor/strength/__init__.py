"""`grader strength`: how strong is a rubric? A mutation report for every op.

Plausible mistakes are made from each op's own reference ``backward`` by mutation operators
(operators.py, declared as data; an op module adds its own in ``OpSpec.mutations``), one mutant
per site (mutants.py). Each mutant is a whole submission: the course's reference file (source.py:
the kit's reference solutions, then a course's own reference files) with one class's ``backward``
rewritten. The mutants run only in the sandbox (assess.py): first graded with the real grader and
the instructor's rubric, then, if they lose nothing, against an independent *probe* of every
property family of their op, which decides whether they are equivalent to the reference. The
report (report.py, templates/strength.html.j2) gives per op the mutation score (caught /
non-equivalent), the survivors with their source diff and the family that would catch them, the
collateral on other ops (always zero on a fair grader; graded on a sample, and proved for the
other mutants on their AST: isolation.py) and the diagnosis coverage.

Instructor tier: it needs the hidden reference, and `grader release` leaves it out.
"""
