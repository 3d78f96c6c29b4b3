"""sys.exit(3) while the module is imported.

Expected: load error "importing ops.py raised SystemExit: 3 (ops.py, line N)", exactly as
in-process; every op scores 0.
"""
import sys

OP = None

sys.exit(3)
