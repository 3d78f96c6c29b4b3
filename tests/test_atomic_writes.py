"""Files are written only through grader/atomic.py: a reader, a resumed batch or a platform sees
the old file or the new one, never half of one, whatever kills the grader mid-write.

The scan reads every module of the grader (imports inside functions too) for the ways Python
writes a file directly. Exempt: atomic.py itself, and the sandbox, which writes the student's
source into the worker's private scratch folder (an input of the worker, not an output).
"""

import ast
import os
from pathlib import Path

from grader.atomic import write_atomic

GRADER = Path(__file__).resolve().parent.parent / "grader"
EXEMPT = ("atomic.py", "sandbox/")
WRITERS = {("shutil", name) for name in ("copy", "copy2", "copyfile", "copytree", "move")} | {
    ("os", "replace"), ("os", "rename"), ("tempfile", "mkstemp"), ("nbformat", "write")}


def _name(node) -> tuple:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    if isinstance(node, ast.Attribute):
        return "", node.attr
    return "", node.id if isinstance(node, ast.Name) else ""


def _mode(call) -> str:
    modes = [kw.value for kw in call.keywords if kw.arg == "mode"] + call.args[1:2]
    return next((m.value for m in modes if isinstance(m, ast.Constant) and isinstance(m.value, str)), "")


def direct_writes(source: str):
    tree = ast.parse(source)
    handles = {item.optional_vars.id for node in ast.walk(tree) if isinstance(node, (ast.With, ast.AsyncWith))
               for item in node.items if isinstance(item.optional_vars, ast.Name)
               and isinstance(item.context_expr, ast.Call) and _name(item.context_expr.func)[1] == "atomic_file"}
    # A buffer in memory is not a file: `out = io.BytesIO(); figure.savefig(out)` writes nothing.
    handles |= {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call) and _name(node.value.func)[1] in ("BytesIO", "StringIO")
                for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _name(node.func)
        on_handle = bool(node.args) and isinstance(node.args[0], ast.Name) and node.args[0].id in handles
        if name in ("write_text", "write_bytes") or (owner, name) in WRITERS:
            yield node.lineno, f"{owner}.{name}".lstrip(".")
        elif not on_handle and _writes(owner, name, node):
            yield node.lineno, f"{owner}.{name}".lstrip(".")


def _writes(owner: str, name: str, call) -> bool:
    """A call that writes a file when its first argument is a path (not an atomic_file's handle)."""
    if name in ("open", "ZipFile"):
        return any(c in _mode(call) for c in "wax+")
    if name in ("save", "savez", "savez_compressed"):
        return owner in ("np", "numpy")
    return name == "savefig"


def test_the_grader_writes_files_only_through_atomic():
    found = [f"{path.relative_to(GRADER)}:{line}: {call}(...)"
             for path in sorted(GRADER.rglob("*.py"))
             if not path.relative_to(GRADER).as_posix().startswith(EXEMPT)
             for line, call in direct_writes(path.read_text(encoding="utf-8"))]
    assert not found, "write through grader.atomic (write_atomic or atomic_file):\n" + "\n".join(found)


def test_the_scan_finds_each_way_of_writing_directly():
    source = ("def f(p, q, data):\n    p.write_text('x')\n    open(p, 'w')\n    open(p, mode='ab')\n"
              "    shutil.copy(p, q)\n    np.savez(p, a=data)\n    zipfile.ZipFile(p, 'w')\n    nbformat.write(data, p)\n"
              "    open(p)\n    open(p, 'rb')\n    with atomic_file(p) as out:\n        np.savez(out, a=data)\n"
              "        zipfile.ZipFile(out, 'w')\n")
    assert [line for line, _ in direct_writes(source)] == [2, 3, 4, 5, 6, 7, 8]


def test_a_link_or_a_device_is_written_through_not_replaced(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe" and not fifo.is_file()
    finally:
        os.close(reader)


def test_a_new_file_gets_the_mode_asked_for(tmp_path):
    write_atomic(tmp_path / "results.json", "{}", mode=0o644)
    assert (tmp_path / "results.json").stat().st_mode & 0o777 == 0o644
