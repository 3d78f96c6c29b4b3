"""The command line: `grader COMMAND` (app.py builds the parser; each command module adds its own)."""

from .app import main

__all__ = ["main"]
