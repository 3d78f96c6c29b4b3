# Two commands: `make demo` and `make test`. Each creates .venv with the pinned dependencies
# the first time (or when requirements.txt / pyproject.toml change).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: demo test stubs clean

$(READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

demo: $(READY)
	$(BIN)/grader grade solutions/backprop/ops.py --quiet
	$(BIN)/grader grade tests/samples/broken/ops.py

test: $(READY)
	$(BIN)/python -m pytest -q

# Regenerate the student stubs from the reference solutions (a test checks they agree).
stubs: $(READY)
	$(BIN)/python -c "from grader.stubs import write_stubs; write_stubs()"

clean:
	rm -rf $(VENV) build *.egg-info
