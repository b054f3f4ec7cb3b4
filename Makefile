# Two commands on a fresh machine: `make run` and `make test`.
# PYTHON and VENV can be overridden (CI runs the suite a second time on Python 3.12).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.dev-installed
# the exact versions the suite passed with (constraints/py311.txt) where this Python has a lock;
# `make test LOCK=` installs the newest versions pyproject.toml allows instead
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d%d" % sys.version_info[:2])' 2>/dev/null)
LOCK ?= $(wildcard constraints/py$(PYVER).txt)
LOCK_ARG := $(if $(LOCK),-c $(LOCK),)
# the suite's processes (pytest-xdist): two, as the project's machine has cores; tests grouped
# by module so a module's shared fixtures are built once. `make test TEST_WORKERS=0` runs serially
TEST_WORKERS ?= 2

.PHONY: run test lint bench clean lock

# the suite's extras (the app, Dask, the EMA Workbench, the notebook runner): see pyproject.toml
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(LOCK_ARG) -e '.[test]'
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet $(LOCK_ARG) -e '.[test,dev]'
	touch $(DEV_STAMP)

# rewrite this Python's lock from the test venv (after a dependency change; then run the suite)
lock: $(DEV_STAMP)
	@mkdir -p constraints
	{ sed -n '/^#/p' constraints/py311.txt; $(BIN)/python -m pip freeze --all --exclude-editable \
	  | grep -v '^#' | grep -v -i '^\(natosim\|pip\|wheel\)=='; } > constraints/py$(PYVER).txt.new
	mv constraints/py$(PYVER).txt.new constraints/py$(PYVER).txt

run: $(STAMP)
	$(BIN)/natosim run scenarios/baseline.toml --reps 20 --seed 7

test: $(STAMP)
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadscope,)

lint: $(DEV_STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/ruff format --check sim tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/run_baseline.py

clean:
	rm -rf .venv .venv-* .pytest_cache .hypothesis .mypy_cache .ruff_cache build *.egg-info
