# Two commands on a fresh machine: `make run` and `make test`.
# PYTHON and VENV can be overridden (CI runs the suite a second time on Python 3.12).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(DEV_STAMP)

run: $(STAMP)
	$(BIN)/natosim run scenarios/baseline.toml --reps 20 --seed 7

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run_baseline.py

clean:
	rm -rf .venv .venv-* .pytest_cache .hypothesis .mypy_cache .ruff_cache build *.egg-info
