# Two entry points: `make run` and `make test`. Each creates .venv if missing
# and installs what it needs into it; nothing else on the machine is assumed
# beyond Python 3.11 (and, for `make test`, a C++ compiler: pygambit has no
# wheel for Python 3.11 on Linux, so pip builds it).
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SCENARIO ?= dprk-2026

.PHONY: run test lint typecheck pytest campaign bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make run`: summitry and its run-time dependencies, all from wheels (no compiler).
# The `games` extra (pygambit) is left out: the default forecast does not use it.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --prefer-binary -e .
	touch $@

# `make test`: the test tools and the `games` extra as well. A venv made by
# `make run` has .installed but not .installed-test, so this installs the extras
# into it; the packages of .installed are then in place too.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --prefer-binary -e '.[test,games]'
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
