"""At import, tries to kill the grader (its parent), every process it may signal, and its group.

Expected: every signal is refused (the audit hook, Landlock's signal scope and, as root, the
different user each stop it); the grader lives; the attack code swallows the errors and the
reference code remains, so the grade is full marks.
"""
import os
import signal

OP = None

for attempt in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: os.kill(-1, signal.SIGKILL),
                lambda: os.kill(0, signal.SIGKILL), lambda: os.killpg(os.getpgid(0), signal.SIGKILL),
                lambda: signal.pidfd_send_signal(os.pidfd_open(os.getppid()), signal.SIGKILL)):
    try:
        attempt()
    except Exception as error:  # noqa: BLE001
        print("refused:", error)
