"""`grader release OUT_DIR`: write the repository students clone.

It holds the stubs, the handout (as its README), the public tests, the ``grader`` package (for
the public tests and ``grader check``) with a pristine copy of the given forward for the
`Numeric` oracle, pinned requirements, and a GitHub Classroom workflow. It holds no reference
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

from ..paths import REPO
from ..ops import registry

# What of the grader a student repository holds: the public tests, `grader check` and what they
# import. The tiers are folders, so this is a list of folders: the student-safe ones whole,
# and from the sandbox only the module that calls the student's code (the in-process runner
# shares it). Instructor tooling (instructor/, sandbox/, platforms/, nbgrader/) stays out.
STUDENT_FOLDERS = ("core", "ops", "run", "render", "cli")
STUDENT_FILES = ("__init__.py", "__main__.py", "paths.py", "atomic.py", "errors.py", "pytest_plugin.py",
                 "sandbox/untrusted/calls.py", "sandbox/untrusted/capstone.py")
EMPTY_PACKAGE = ('"""Only calls.py and capstone.py ship to students: the code that calls theirs, shared with the '
                 'in-process runner."""\n')

# The student-side packages and what they pull in, pinned as the graders pin them.
RUNTIME_PINS = ("numpy", "hypothesis", "attrs", "sortedcontainers", "rich", "markdown-it-py", "mdurl",
                "Pygments", "pytest", "iniconfig", "packaging", "pluggy")

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
grader = ["rubric.toml"]

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-p no:cacheprovider"
"""

# Where the kit's files land in the release: the handout's relative links are re-pointed with it.
RELEASED_AS = {"assignments/backprop/README.md": "README.md", "assignments/backprop/ops.py": "backprop/ops.py",
               "assignments/backprop/test_backprop.py": "tests/test_backprop.py",
               "assignments/backprop/graph.py": "backprop/graph.py", "assignments/backprop/network.py": "backprop/network.py",
               "assignments/backprop/test_graph.py": "tests/test_graph.py"}
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
        shutil.copy(module, packed / module.name)
        toml += f'\n[[ops]]\nmodule = "{module.name}"\n'
    (packed / "course.toml").write_text(toml, encoding="utf-8")


def _pack_capstone(assignment: Path, out: Path) -> None:
    """The capstone: the graph.py stub, the given network, their public tests, and pristine copies of
    the given tape and network for the public oracle (grader/ops/capstone/oracle.py)."""
    for name in ("graph.py", "network.py"):
        shutil.copy(assignment / name, out / "backprop" / name)
        shutil.copy(assignment / name, out / "grader" / "ops" / "capstone" / f"given_{name}")
    shutil.copy(assignment / "test_graph.py", out / "tests" / "test_graph.py")


def build_release(out_dir, course_dir=None) -> Path:
    out = Path(out_dir)
    course = registry.select(course_dir)
    if out.exists() and any(out.iterdir()):
        from ..errors import UsageError

        raise UsageError(f"{out} is not empty; choose a new folder for the release")
    rubric = course.rubric()
    assignment = REPO / "assignments" / "backprop"
    (out / "backprop").mkdir(parents=True, exist_ok=True)
    (out / "tests").mkdir()
    stubs = course_stubs(course) if course.references else (assignment / "ops.py").read_text(encoding="utf-8")
    (out / "backprop" / "ops.py").write_text(stubs, encoding="utf-8")
    handout = released_handout((assignment / "README.md").read_text(encoding="utf-8"))
    if course.references:
        handout += "\n## The ops of this course\n\n" + contract_table(course.contract) + "\n"
    (out / "README.md").write_text(handout, encoding="utf-8")
    shutil.copy(assignment / "test_backprop.py", out / "tests" / "test_backprop.py")
    (out / "grader").mkdir()
    for name in STUDENT_FOLDERS:
        shutil.copytree(REPO / "grader" / name, out / "grader" / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("sandbox", "sandbox/untrusted"):
        (out / "grader" / name).mkdir(parents=True, exist_ok=True)
        (out / "grader" / name / "__init__.py").write_text(EMPTY_PACKAGE)
    for name in STUDENT_FILES:
        shutil.copy(REPO / "grader" / name, out / "grader" / name)
    # The pristine given forward: the Numeric oracle differentiates this, never the student's copy.
    (out / "grader" / "given_ops.py").write_text(stubs, encoding="utf-8")
    if course.references:
        _pack_course(course, out)
    if course.parts:
        _pack_capstone(assignment, out)
    (out / "pyproject.toml").write_text(PYPROJECT)
    (out / "requirements.txt").write_text(_requirements())
    (out / ".gitignore").write_text(GITIGNORE)
    (out / ".github" / "workflows").mkdir(parents=True)
    (out / ".github" / "workflows" / "classroom.yml").write_text(_workflow(rubric))
    return out


def add_command(commands) -> None:
    release = commands.add_parser("release", help="write the student repository (stubs, handout, public tests)")
    release.add_argument("out_dir", metavar="OUT_DIR", help="a new or empty folder")
    registry.add_course_argument(release)
    release.set_defaults(run=lambda args: print(f"wrote {build_release(args.out_dir, args.course)}") or 0)
