# Two commands: `make demo` and `make test`. Each creates .venv with the pinned dependencies
# the first time (or when the requirements or pyproject.toml change).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
EXTRAS := $(VENV)/.ready-nbgrader

.PHONY: demo test stubs clean

# pip --quiet prints nothing for a minute or so: say what is happening first.
$(READY): requirements.txt pyproject.toml
	@echo "make: creating $(VENV) and installing the pinned dependencies (requirements.txt); the first time only..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# nbgrader is an extra: the suite runs real nbgrader, the demo does not need it.
$(EXTRAS): $(READY) requirements-nbgrader.txt
	@echo "make: installing nbgrader into $(VENV) (requirements-nbgrader.txt); the first time only..."
	$(BIN)/pip install --quiet -r requirements-nbgrader.txt
	touch $@

demo: $(READY)
	$(BIN)/grader grade solutions/backprop/ops.py --quiet
	$(BIN)/grader grade tests/samples/broken/ops.py

test: $(EXTRAS)
	$(BIN)/python -m pytest -q

# Regenerate the student stubs from the reference solutions (a test checks they agree).
stubs: $(READY)
	$(BIN)/python -c "from grader.stubs import write_stubs; write_stubs()"

clean:
	rm -rf $(VENV) build *.egg-info
