"""The three runners implement the one declared runner protocol (grader/run/protocol.py).

`grade()` sees only `Runner`; a runner that lacks a member, has it as the wrong kind (a method
where the protocol has a property) or takes other parameters would fail at grading time, on the
one path that uses that runner. These tests catch it from the classes themselves.
"""

import inspect
from pathlib import Path

import pytest

from grader.run.factory import Unloadable, make_runner
from grader.run.in_process import InProcessRunner
from grader.run.protocol import Runner
from grader.run.submission import Submission
from grader.sandbox.sandbox_runner import SandboxRunner

RUNNERS = [InProcessRunner, SandboxRunner, Unloadable]


def protocol_members():
    """(name, kind) of every member the protocol declares: data, property or method."""
    members = [(name, "data") for name in Runner.__annotations__]
    for name, value in vars(Runner).items():
        if isinstance(value, property):
            members.append((name, "property"))
        elif inspect.isfunction(value) and not name.startswith("_"):
            members.append((name, "method"))
    return members


def test_the_protocol_declares_what_grade_uses():
    assert sorted(protocol_members()) == [("captured_output", "property"), ("close", "method"),
                                          ("load_error", "data"), ("missing", "method"), ("run", "method")]


@pytest.mark.parametrize("cls", RUNNERS, ids=lambda cls: cls.__name__)
def test_runner_has_every_member_of_the_protocol_in_its_kind(cls):
    for name, kind in protocol_members():
        if kind == "data":
            continue  # an instance attribute: checked on instances below
        found = inspect.getattr_static(cls, name)
        if kind == "property":
            assert isinstance(found, property), f"{cls.__name__}.{name} must be a property"
            continue
        assert inspect.isfunction(found), f"{cls.__name__}.{name} must be a method"
        assert found is not vars(Runner)[name], f"{cls.__name__}.{name} is only the protocol's empty stub"
        assert list(inspect.signature(found).parameters) == list(inspect.signature(vars(Runner)[name]).parameters)


@pytest.mark.parametrize("cls", [InProcessRunner, Unloadable], ids=lambda cls: cls.__name__)
def test_runners_of_the_run_tier_declare_the_protocol(cls):
    assert Runner in cls.__mro__


def test_every_runner_make_runner_returns_is_a_runner():
    unreadable = make_runner(Submission(Path("ops.py"), "", "ops.py", error="ops.py is not UTF-8"))
    in_process = make_runner(Submission(Path("ops.py"), "x = 1\n", "ops.py"), in_process=True)
    sandboxed = make_runner(Submission(Path("ops.py"), "x = 1\n", "ops.py"))
    try:
        for runner in (unreadable, in_process, sandboxed):
            assert isinstance(runner, Runner)
            assert isinstance(runner.load_error, str) and isinstance(runner.captured_output, str)
    finally:
        for runner in (unreadable, in_process, sandboxed):
            runner.close()
    assert unreadable.load_error == "ops.py is not UTF-8" and unreadable.captured_output == ""
