"""The sandbox: student code runs in a confined worker process, never in the grader's.

This folder is the grader's (trusted) side: `SandboxRunner` (sandbox_runner.py), how workers are
started (launchers.py, process.py; early.py starts one before the grading stack is imported), the
users they run as (users.py) and how replies are read (replies.py). Everything that runs as or beside student code is in untrusted/: the worker, the
fork server, the policy and Landlock; it imports nothing of the grader, and only its frames
format (frames.py) and the code that calls the student's (calls.py) are imported from it.
"""
