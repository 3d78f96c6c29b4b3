"""time.sleep for an hour while the module is imported (uses no CPU, so no CPU limit stops it).

Expected: load error "importing ops.py timed out after N s"; every op scores 0.
"""
import time

OP = None

time.sleep(3600)
