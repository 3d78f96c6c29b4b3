"""How the suite is shared among pytest-xdist workers (`make test` runs ``-n auto --dist loadgroup``).

Two rules, applied by this hook (conftest.py imports it) to every test collected, so a new test file needs no
marks of its own (https://pytest-xdist.readthedocs.io/en/stable/distribution.html):

* Tests of one file that use a fixture built once per module or class (a course, an nbgrader
  run, a release, a sandbox) share one ``xdist_group``, named after the file: one worker runs
  them all and builds the fixture once, as a serial run does. The file's other tests are handed
  out one by one. (A session fixture is built once per worker whatever the grouping.)
* Expensive work goes out first, the usual greedy schedule for unequal jobs: a test marked
  ``slow`` or a group holding one, then the other groups, then single tests in collection order.
  The run then ends on short tests, not with one worker idle while the other finishes the
  six minutes of an end-to-end file. The order is stable, so a file's grouped tests stay in
  their order and together, and its module fixtures are still built once in a serial run.

Without xdist (``pytest`` alone) the groups are inert marks and only the order changes.
"""

import pytest

SHARED_SCOPES = ("class", "module", "package")


def shares_a_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture that lives longer than itself but shorter than the session."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:  # not a python test function (a doctest, a plugin's item): nothing shared
        return False
    return any(definitions[-1].scope in SHARED_SCOPES
               for definitions in info.name2fixturedefs.values() if definitions)


def group_by_file(items: list) -> None:
    """Put the tests of a file that share a module or class fixture in that file's xdist_group."""
    for item in items:
        if shares_a_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.path.name))


def unit_of(item: pytest.Item) -> tuple:
    """What a worker receives in one piece: ("group", name) or ("test", the test's id)."""
    mark = item.get_closest_marker("xdist_group")
    return ("group", mark.args[0]) if mark else ("test", item.nodeid)


def expensive_first(items: list) -> None:
    """Reorder (stably) so that slow units come first, then groups, then single tests."""
    slow = {unit_of(item) for item in items if item.get_closest_marker("slow")}

    def rank(item):
        unit = unit_of(item)
        return 0 if unit in slow else 1 if unit[0] == "group" else 2

    items.sort(key=rank)


# A wrapper: the groups are marked before xdist's own hook reads them, and the order is set after
# every other hook (pytest's reordering by fixture parameters, -m/-k deselection), before a
# worker reports its collection.
@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    group_by_file(items)
    result = yield
    expensive_first(items)
    return result
