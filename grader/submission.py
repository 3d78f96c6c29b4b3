"""Find and read a submission: an ops.py, a folder holding one, or a notebook.

Only the *text* is read here; nothing from the submission's folder is ever imported.

Two kinds of failure, kept apart on purpose:

* the grader's user gave a path that is not a submission (missing, a folder without ops.py, an
  unreadable file): `SubmissionError`, one line, ``grader grade`` exits 2;
* the student's file is there but broken as a file (not UTF-8, a notebook that is not JSON):
  the student's mistake, like a syntax error. The `Submission` then carries ``error``, one
  sentence saying what to do, and every runner from `make_runner` reports it as the load
  error of a report scoring 0, so ``grade``, ``batch`` and every platform write that report.
"""

import io
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SubmissionError(Exception):
    """The submission cannot be read at all; the message is one line saying what to do."""


@dataclass(frozen=True)
class Submission:
    path: Path        # what was given
    source: str       # Python source of ops.py (for a notebook: its cells, see notebook_code)
    filename: str     # the name shown in error messages ("ops.py")
    error: str = ""   # why the file cannot be graded at all, the student's mistake ("" if it can)


def locate(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"no such file or folder: {path}")
    if path.is_file():
        return path
    for candidate in (path / "ops.py", path / "backprop" / "ops.py"):
        if candidate.is_file():
            return candidate
    notebooks = sorted(path.glob("*.ipynb"))
    if len(notebooks) == 1:
        return notebooks[0]
    raise SubmissionError(f"{path} holds no ops.py (looked for {path}/ops.py and {path}/backprop/ops.py)")


def decode_source(data: bytes, name: str) -> tuple:
    """(text, "") as Python itself would read the file (UTF-8, a byte-order mark, or the encoding
    a PEP 263 ``# coding:`` line declares), or ("", one sentence) if it cannot be read so."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), ""
    except UnicodeDecodeError as error:
        return "", (f"{name} is not UTF-8 text (byte 0x{error.object[error.start]:02x} at position "
                    f"{error.start}): save {name} as UTF-8 and submit it again")
    except (SyntaxError, LookupError) as error:   # an unknown or contradictory coding declaration
        return "", f"{name} cannot be read ({error}): save {name} as UTF-8 and submit it again"


def read_submission(path) -> Submission:
    """The submission at `path`; raises `SubmissionError` only if there is no file to grade."""
    file = locate(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise SubmissionError(f"{file} cannot be read: {error.strerror}") from None
    if file.suffix == ".ipynb":
        from .nbgrader.answers import NotebookError, notebook_code

        try:
            return Submission(Path(path), notebook_code(data, file.name), file.name)
        except NotebookError as error:
            return Submission(Path(path), "", file.name, str(error))
    text, error = decode_source(data, file.name)
    return Submission(Path(path), text, file.name, error)
