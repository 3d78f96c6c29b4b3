"""Find and read a submission: an ops.py, a folder holding one, or a notebook.

Only the *text* is read here; nothing from the submission's folder is ever imported.
"""

import json
from dataclasses import dataclass
from pathlib import Path


class SubmissionError(Exception):
    """The submission cannot be read at all; the message is one line saying what to do."""


@dataclass(frozen=True)
class Submission:
    path: Path        # what was given
    source: str       # Python source of ops.py (for a notebook: its code cells)
    filename: str     # the name shown in error messages ("ops.py")


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


def notebook_source(text: str, name: str) -> str:
    """The code cells of a notebook, IPython magics and shell lines commented out."""
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError):
        raise SubmissionError(f"{name} is not a readable Jupyter notebook") from None
    chunks = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            chunks.append("\n".join("# " + line if line.lstrip().startswith(("%", "!")) else line
                                    for line in source.splitlines()))
    return "\n\n".join(chunks) + "\n"


def read_submission(path) -> Submission:
    file = locate(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError(f"{file} is not UTF-8 text; save it as a plain Python file") from None
    except OSError as error:
        raise SubmissionError(f"{file} cannot be read: {error.strerror}") from None
    if file.suffix == ".ipynb":
        return Submission(Path(path), notebook_source(text, file.name), file.name)
    return Submission(Path(path), text, file.name)
