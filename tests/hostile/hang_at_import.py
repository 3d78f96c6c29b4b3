"""An endless loop while the module is imported.

Expected: load error "importing ops.py timed out after N s" (N = call_timeout); every op
scores 0; the grade returns soon after the timeout.
"""
OP = None

while True:
    pass
