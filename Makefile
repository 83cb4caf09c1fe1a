# Two entry points: `make run` and `make test`. Each creates .venv if missing
# and installs what it needs into it; nothing else on the machine is assumed
# beyond Python 3.11.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SCENARIO ?= dprk-2025

.PHONY: run test lint typecheck pytest campaign bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[games]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,games]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/summitry forecast $(SCENARIO)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

test: lint typecheck pytest

# On-demand campaigns and benchmarks (not part of `make test`).
campaign: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m campaign -p no:cacheprovider

bench: $(VENV)/.installed-test
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
