# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint bench figures install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project's dependencies change.
$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $(INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/scratchnn train

lint: $(INSTALLED)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# Two processes, a test file each at a time: the suite on both cores.
test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(INSTALLED)
	$(BIN)/python -m benchmarks

# The pictures in the README, drawn by the command line.
figures: $(INSTALLED)
	$(BIN)/scratchnn train --verbose 0 --plot docs/xor.png
	$(BIN)/scratchnn train --dataset moons --validation-split 0.2 --verbose 0 --plot docs/moons.png
	SCRATCHNN_SCREENSHOT=docs/playground.png $(BIN)/python -m pytest -q tests/test_playground_browser.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
