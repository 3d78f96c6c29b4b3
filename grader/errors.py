"""The one exception every command raises for a mistake its user can fix.

`grader.cli.app.main` prints its message as one line and exits 2, never a traceback. It lives
here, below every tier, so command modules (batch, release, platforms, nbgrader) need not import
the command line to raise it.
"""


class UsageError(Exception):
    """A mistake the user can fix; the message is the one line they see."""
