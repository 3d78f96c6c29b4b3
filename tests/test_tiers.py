"""The trust tiers are folders, and imports run downward only (read from the import graph).

From the top: the entry points (cli/, pytest_plugin.py, instructor/, nbgrader/, platforms/),
render/, ops/, core/, run/, sandbox/ (the grader's side of isolation) and sandbox/untrusted/
(what runs as or beside student code). The foundations (paths.py, atomic.py, errors.py) import
nothing of the grader and anyone may import them. Nothing imports untrusted/ but its frames
format and the module that calls the student's code; untrusted/ imports nothing of the grader
(the worker is loaded by path, with NumPy and the standard library only). Every import counts,
those inside functions too: a lazy upward import is still a cycle in the design.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GRADER = ROOT / "grader"
FOUNDATIONS = {"grader", "grader.paths", "grader.atomic", "grader.errors", "grader.i18n"}
TIERS = [  # (rank, module prefix): a module may import only modules of its rank or below
    (6, "grader.__main__"), (6, "grader.cli"), (6, "grader.pytest_plugin"), (6, "grader.instructor"), (6, "grader.nbgrader"),
    (6, "grader.platforms"), (6, "grader.integrity"), (6, "grader.strength"), (6, "grader.capstone"),
    (5, "grader.render"), (4, "grader.ops"), (3, "grader.core"), (2, "grader.run"),
    (1, "grader.sandbox.untrusted"), (1, "grader.sandbox"),
]
CROSSING = {"grader.sandbox.untrusted.frames", "grader.sandbox.untrusted.calls"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rank(module: str):
    if module in FOUNDATIONS:
        return 0
    for tier, prefix in TIERS:
        if module == prefix or module.startswith(prefix + "."):
            return tier, prefix
    raise AssertionError(f"{module} is in no tier: add its folder to TIERS")


def grader_imports(source: str, package: str):
    """(line, imported module) for every import of a grader module in the source."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import x` imports the module x when there is one
            names = [f"{target}.{alias.name}" if module_exists(f"{target}.{alias.name}") else target
                     for alias in node.names]
        else:
            continue
        for name in names:
            if name == "grader" or name.startswith("grader."):
                yield node.lineno, name


def module_exists(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def violations(importer: str, source: str, is_package: bool = False) -> list:
    """Every import in `source` (the text of module `importer`) that breaks the tiers."""
    package = importer if is_package else importer.rpartition(".")[0]
    own, found = rank(importer), []
    for line, imported in grader_imports(source, package):
        where = f"line {line} imports {imported}"
        if importer.startswith("grader.sandbox.untrusted"):
            found.append(f"{where}: untrusted code imports nothing of the grader (load by path)")
        elif imported.startswith("grader.sandbox.untrusted") and imported not in CROSSING:
            found.append(f"{where}: only frames and calls cross from the untrusted side")
        elif own == 0:
            if rank(imported) != 0:
                found.append(f"{where}: a foundation imports nothing of the grader")
        elif rank(imported) != 0 and imported not in CROSSING and rank(imported)[0] > own[0]:
            found.append(f"{where}: an upward import ({own[1]} -> {rank(imported)[1]})")
    return found


MODULES = sorted(GRADER.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_downward(path):
    found = violations(module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py")
    assert not found, f"{path.relative_to(ROOT)}: " + "; ".join(found)


def test_the_check_catches_each_kind_of_violation():
    assert violations("grader.core.judge", "from ..instructor import batch\n")          # upward
    assert violations("grader.run.submission", "def f():\n    from ..core import cases\n")  # lazy, upward
    assert violations("grader.core.grade", "from ..sandbox.untrusted import worker\n")  # not a crossing
    assert violations("grader.sandbox.untrusted.worker", "import grader.paths\n")      # untrusted
    assert violations("grader.paths", "from .core import judge\n")                      # foundation
    assert not violations("grader.core.judge", "from ..sandbox.untrusted.calls import Foreign\n")
    assert not violations("grader.instructor.batch", "from ..core.grade import grade\nfrom ..errors import UsageError\n")
