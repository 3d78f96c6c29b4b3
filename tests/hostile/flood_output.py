"""At import, prints 100 MB, half to stdout and half to stderr.

Expected: the output is drained and capped (only the first OUTPUT_CAP characters are kept,
then "[... output truncated]"); nothing printed affects a score: full marks, within the time
bound.
"""
import sys

OP = None

_line = "x" * 1023 + "\n"
_block = _line * 1024
for _ in range(50):
    sys.stdout.write(_block)
    sys.stderr.write(_block)
