# Two commands: `make demo` and `make test`. Each creates .venv with the pinned dependencies
# the first time (or when the requirements or pyproject.toml change).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
EXTRAS := $(VENV)/.ready-nbgrader
BROWSER := $(VENV)/.ready-browser
FRESH_OS := $(VENV)/.ready-fresh-os
TESTING := $(VENV)/.ready-test
# `make test` shares the suite among this many pytest-xdist workers (auto: one per core; 0: none).
WORKERS ?= auto
# Debian packages the slow tests need, installed with apt-get where missing (as root; elsewhere
# the make step says what to install, or the test skips: a chroot needs root anyway).
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: demo test stubs clean

# pip --quiet prints nothing for a minute or so: say what is happening first.
$(READY): requirements.txt pyproject.toml
	@echo "make: creating $(VENV) and installing the pinned dependencies (requirements.txt); the first time only..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q grader   # the worker runs with -B: its modules would compile on every start
	touch $@

# nbgrader is an extra: the suite runs real nbgrader, the demo does not need it.
$(EXTRAS): $(READY) requirements-nbgrader.txt
	@echo "make: installing nbgrader into $(VENV) (requirements-nbgrader.txt); the first time only..."
	$(BIN)/pip install --quiet -r requirements-nbgrader.txt
	touch $@

# The browser extra (tests/test_browser.py): Debian's chromium, and playwright to drive it.
$(BROWSER): $(READY) requirements-browser.txt
	@echo "make: installing Debian's chromium and playwright (requirements-browser.txt); the first time only..."
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && $(APT_INSTALL) chromium; } || \
	    { echo "make: chromium is missing: run 'apt-get install chromium' as root" >&2; exit 1; }
	$(BIN)/pip install --quiet -r requirements-browser.txt
	touch $@

# tests/test_fresh_os.py builds a Debian root with mmdebstrap (as root only: it runs a chroot).
$(FRESH_OS): $(READY)
	@if [ "$$(id -u)" = 0 ] && ! command -v mmdebstrap >/dev/null; then \
	    echo "make: installing Debian's mmdebstrap for the fresh-OS test; the first time only..."; \
	    apt-get update -qq && $(APT_INSTALL) mmdebstrap; fi
	touch $@

# pytest-xdist, for `make test` only: students and the demo run plain pytest.
$(TESTING): $(READY) requirements-test.txt
	@echo "make: installing pytest-xdist into $(VENV) (requirements-test.txt); the first time only..."
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

demo: $(READY)
	$(BIN)/grader grade solutions/backprop --quiet --feedback capstone-demo   # with graph.py: the capstone too, capstone-demo/loss.png
	$(BIN)/grader grade tests/samples/broken/ops.py

# Every test runs, slow ones included, on $(WORKERS) workers: tests/scheduling.py keeps the tests
# sharing a module fixture in one worker and hands the expensive ones out first (its order must
# be kept: hence --no-loadscope-reorder). `.venv/bin/python -m pytest -q -m "not slow"` is the
# quick serial subset.
test: $(EXTRAS) $(BROWSER) $(FRESH_OS) $(TESTING)
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist loadgroup --no-loadscope-reorder

# Regenerate the student stubs from the reference solutions (a test checks they agree).
stubs: $(READY)
	$(BIN)/python -c "from grader.instructor.stubs import write_stubs; write_stubs()"

clean:
	rm -rf $(VENV) build *.egg-info
