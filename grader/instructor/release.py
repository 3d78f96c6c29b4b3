"""`grader release OUT_DIR`: write the repository students clone.

It holds the stubs, the handout (as its README, and README.zh-CN.md in Chinese), the public
tests, the ``grader`` package (for the public tests and ``grader check``, with its message
catalogues) with a pristine copy of the given forward for the `Numeric` oracle and the public
checks' example bank (release_bank.py), pinned requirements, and a GitHub Classroom workflow.
It holds no reference
solution: the release test checks that no reference ``backward`` body appears anywhere in it.

The handout's relative links are re-pointed to where the release puts each file (RELEASED_AS).

GitHub Classroom's autograding runs in the student's own repository, tests and workflow included,
so students can edit it (https://github.com/education/autograding/issues/16): it is formative
feedback only; the grade comes from the hidden grader.
"""

import json
import posixpath
import re
import shutil
from pathlib import Path

from ..atomic import write_atomic
from ..i18n import _
from ..paths import REPO
from ..ops import registry
from .release_bank import ship_public_bank

# What of the grader a student repository holds: the public tests, `grader check` and what they
# import. The tiers are folders, so this is a list of folders: the student-safe ones whole,
# and from the sandbox only the module that calls the student's code (the in-process runner
# shares it). Instructor tooling (instructor/, sandbox/, platforms/, nbgrader/) stays out.
STUDENT_FOLDERS = ("core", "ops", "run", "render", "cli", "locale")
STUDENT_FILES = ("__init__.py", "__main__.py", "paths.py", "atomic.py", "errors.py", "i18n.py", "pytest_plugin.py",
                 "sandbox/untrusted/calls.py", "sandbox/untrusted/capstone.py")
EMPTY_PACKAGE = ('"""Only calls.py and capstone.py ship to students: the code that calls theirs, shared with the '
                 'in-process runner."""\n')

# The student-side packages and what they pull in, pinned as the graders pin them.
RUNTIME_PINS = ("numpy", "hypothesis", "attrs", "sortedcontainers", "rich", "markdown-it-py", "mdurl",
                "Pygments", "pytest", "iniconfig", "packaging", "pluggy", "Babel")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "backprop-homework"
version = "1.0.0"
requires-python = ">=3.11"
dependencies = ["numpy", "hypothesis", "rich", "pytest"]

[project.scripts]
grader = "grader.cli.app:main"

[project.entry-points.pytest11]
backprop = "grader.pytest_plugin"

[tool.setuptools]
packages = ["grader", "grader.core.diagnoses"]

[tool.setuptools.package-data]
grader = ["rubric.toml", "public_bank.npz", "locale/*/LC_MESSAGES/*.po", "ops/capstone/shipped_cases/*.json"]

[tool.pytest.ini_options]
testpaths = ["tests"]
# Hypothesis's pytest plugin imports Hypothesis (~0.3 s of CPU) on every run, and the checks never
# need it: they load their examples from grader/public_bank.npz (the grader imports Hypothesis
# itself when it has to draw them). Their output is the same with it or without.
addopts = "-p no:cacheprovider -p no:hypothesispytest"
"""

# Where the kit's files land in the release: the handout's relative links are re-pointed with it.
RELEASED_AS = {"assignments/backprop/README.md": "README.md", "assignments/backprop/ops.py": "backprop/ops.py",
               "assignments/backprop/test_backprop.py": "tests/test_backprop.py",
               "assignments/backprop/README.zh-CN.md": "README.zh-CN.md",
               "assignments/backprop/graph.py": "backprop/graph.py", "assignments/backprop/network.py": "backprop/network.py",
               "assignments/backprop/test_graph.py": "tests/test_graph.py"}
HANDOUTS = ("README.md", "README.zh-CN.md")  # the handout in each language, shipped beside each other
LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?\)")

GITIGNORE = ".venv/\n__pycache__/\n*.egg-info/\n.pytest_cache/\n.hypothesis/\n"


def _requirements() -> str:
    pins = [line.strip() for line in (REPO / "requirements.txt").read_text().splitlines()
            if line.split("==")[0].strip() in RUNTIME_PINS]
    return "\n".join(["# Pinned: the same versions the graders use, so examples are identical.", *pins,
                      "# The grader package in this folder: public tests and `grader check`.", "-e .", ""])


def released_handout(text: str, kit_path: str = "assignments/backprop/README.md") -> str:
    """The handout with each relative link re-pointed from its place in the kit to the release's
    layout. A link to a file the release does not ship is a kit bug: refused here, not shipped."""
    here, there = posixpath.dirname(kit_path), posixpath.dirname(RELEASED_AS[kit_path])

    def relink(match):
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return match[0]  # a URL
        in_kit = posixpath.normpath(posixpath.join(here, target))
        if in_kit not in RELEASED_AS:
            raise ValueError(f"{kit_path} links to {target}, which the student repository does not have")
        return f"]({posixpath.relpath(RELEASED_AS[in_kit], there or '.')}{match['anchor'] or ''})"

    return LINK.sub(relink, text)


def _workflow(rubric) -> str:
    """GitHub Classroom: one command-grader step per op (its points), then the reporter."""
    ops = [key for key in rubric.points if rubric.op_max(key)]
    lines = [
        "# Formative feedback in GitHub Classroom: each op's public tests, worth that op's points.",
        "# Students can edit this repository, so the instructor's hidden grader decides the grade.",
        "name: Autograding Tests",
        "on: [push, repository_dispatch, workflow_dispatch]",
        "permissions:", "  checks: write", "  actions: read", "  contents: read",
        "jobs:", "  run-autograding-tests:", "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'", "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-python@v5", "        with:", "          python-version: '3.11'",
        "      - name: Install", "        run: pip install -r requirements.txt",
    ]
    for key in ops:
        lines += [
            f"      - name: {key}", f"        id: {key.replace('_', '-')}",
            "        uses: classroom-resources/autograding-command-grader@v1", "        with:",
            f"          test-name: {key}", f"          command: pytest --op {key}",
            "          timeout: 10", f"          max-score: {rubric.op_max(key):g}",
        ]
    lines += ["      - name: Autograding Reporter",
              "        uses: classroom-resources/autograding-grading-reporter@v1", "        env:"]
    lines += [f"          {key.upper()}_RESULTS: \"${{{{steps.{key.replace('_', '-')}.outputs.result}}}}\""
              for key in ops]
    lines += ["        with:", f"          runners: {','.join(key.replace('_', '-') for key in ops)}", ""]
    return "\n".join(lines)


def contract_table(contract) -> str:
    """The handout's table of the ops students implement, from the ops' own declarations."""
    rows = [f"| `{op.class_name}` | `forward({', '.join(op.inputs)})` | `{op.returns_text()}` | {op.doc} |"
            for op in contract]
    return "\n".join(["| class | forward | backward returns | what it computes |", "| --- | --- | --- | --- |", *rows])


def course_stubs(course) -> str:
    """The students' ops.py of a course: the kit's stubs (if it keeps a built-in), then each course
    op's stub, derived from its reference (grader/instructor/stubs.py)."""
    from .stubs import make_stubs

    parts = [(REPO / "assignments" / "backprop" / "ops.py").read_text(encoding="utf-8")] if course.builtin_keys else []
    parts += [make_stubs(path.read_text(encoding="utf-8")) for path in course.references.values()]
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def _pack_course(course, out: Path) -> None:
    """The course's op modules (never its references) into the students' grader/course/."""
    packed = out / "grader" / "course"
    packed.mkdir()
    kit = set(registry.builtin().contract.keys)  # a replaced built-in stays listed: replaced in its place
    toml = f"[course]\nbuiltins = {json.dumps([op.key for op in course.contract if op.key in kit])}\n"
    for key in course.references:
        module = next(Path(p) for p in course.modules if course.modules[p] == key)
        _copy(module, packed / module.name)
        toml += f'\n[[ops]]\nmodule = "{module.name}"\n'
    write_atomic(packed / "course.toml", toml)


def _pack_capstone(assignment: Path, out: Path) -> None:
    """The capstone: the graph.py stub, the given network, their public tests, and pristine copies of
    the given tape and network for the public oracle (grader/ops/capstone/oracle.py)."""
    for name in ("graph.py", "network.py"):
        _copy(assignment / name, out / "backprop" / name)
        _copy(assignment / name, out / "grader" / "ops" / "capstone" / f"given_{name}")
    _copy(assignment / "test_graph.py", out / "tests" / "test_graph.py")


def build_release(out_dir, course_dir=None) -> Path:
    out = Path(out_dir)
    course = registry.select(course_dir)
    if out.exists() and any(out.iterdir()):
        from ..errors import UsageError

        raise UsageError(_("{out} is not empty; choose a new folder for the release").format(out=out))
    rubric = course.rubric()
    assignment = REPO / "assignments" / "backprop"
    (out / "backprop").mkdir(parents=True, exist_ok=True)
    (out / "tests").mkdir()
    stubs = course_stubs(course) if course.references else (assignment / "ops.py").read_text(encoding="utf-8")
    write_atomic(out / "backprop" / "ops.py", stubs)
    for name in HANDOUTS:
        handout = released_handout((assignment / name).read_text(encoding="utf-8"), f"assignments/backprop/{name}")
        if course.references:
            handout += "\n## The ops of this course\n\n" + contract_table(course.contract) + "\n"
        write_atomic(out / RELEASED_AS[f"assignments/backprop/{name}"], handout)
    _copy(assignment / "test_backprop.py", out / "tests" / "test_backprop.py")
    (out / "grader").mkdir()
    for name in STUDENT_FOLDERS:
        for source in sorted((REPO / "grader" / name).rglob("*")):
            if source.is_file() and "__pycache__" not in source.parts and source.suffix != ".pyc":
                _copy(source, out / "grader" / name / source.relative_to(REPO / "grader" / name))
    for name in ("sandbox", "sandbox/untrusted"):
        (out / "grader" / name).mkdir(parents=True, exist_ok=True)
        write_atomic(out / "grader" / name / "__init__.py", EMPTY_PACKAGE)
    for name in STUDENT_FILES:
        _copy(REPO / "grader" / name, out / "grader" / name)
    # The pristine given forward: the Numeric oracle differentiates this, never the student's copy.
    write_atomic(out / "grader" / "given_ops.py", stubs)
    if course.references:
        _pack_course(course, out)
    if course.parts:
        _pack_capstone(assignment, out)
    write_atomic(out / "pyproject.toml", PYPROJECT)
    write_atomic(out / "requirements.txt", _requirements())
    write_atomic(out / ".gitignore", GITIGNORE)
    (out / ".github" / "workflows").mkdir(parents=True)
    write_atomic(out / ".github" / "workflows" / "classroom.yml", _workflow(rubric))
    ship_public_bank(out)  # last: its key hashes the released package as written above
    return out


def _copy(source: Path, target: Path) -> None:
    """Copy one file's bytes and permission bits (like shutil.copy), through atomic.py."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, source.read_bytes(), mode=source.stat().st_mode & 0o777)


def add_command(commands) -> None:
    release = commands.add_parser("release", help=_("write the student repository (stubs, handout, public tests)"))
    release.add_argument("out_dir", metavar="OUT_DIR", help=_("a new or empty folder"))
    registry.add_course_argument(release)
    release.set_defaults(run=lambda args: print(_("wrote {path}").format(path=build_release(args.out_dir, args.course))) or 0)
