"""The integrity report (``grader integrity``): facts for an instructor to review, never a penalty.

Instructor tier: reads submissions as text and parses them, never runs them, so it needs no
sandbox. sources.py reads a submission into parsed units (a file, or notebook cells); bodies.py
finds each op's ``backward`` and the helpers it calls; similarity.py compares bodies op by op
(copydetect); flags.py reads finite differences, autograd imports, file, environment and
network use from the syntax tree; report.py and templates/integrity.html.j2 write the page;
command.py is the command line.
"""
