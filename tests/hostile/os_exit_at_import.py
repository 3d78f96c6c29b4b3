"""os._exit(0) while the module is imported: the worker process ends with "success".

Expected: load error "the worker exited (status 0) while importing ops.py"; every op scores 0.
An exit status is never read as a result.
"""
import os

OP = None

print("all tests passed")
os._exit(0)
