# Set-up and checks. `make demo` and `make test` work on a fresh Debian 12 machine with Python 3.11.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo demo-spark test lint typecheck pytest system-deps clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip check
	touch $(STAMP)

system-deps:
	bash scripts/system-deps.sh

## Run the whole lake on the packaged snapshot, offline (DuckDB engine: no Java needed).
demo: $(STAMP)
	$(VENV)/bin/cinelake demo

## The same on the Spark engine (installs a Java 17 runtime when missing).
demo-spark: $(STAMP)
	bash scripts/system-deps.sh java
	$(VENV)/bin/cinelake demo --engine spark

## Lint, type-check and run every test (unit and integration).
test: $(STAMP) system-deps lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench scripts

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# Three workers on two cores: much of the suite waits on servers, subprocesses and rate limits.
PYTEST_WORKERS ?= 3
pytest: $(STAMP)
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

clean:
	rm -rf $(VENV) lake reports test-artifacts .mypy_cache .ruff_cache .pytest_cache
