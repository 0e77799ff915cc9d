# Set-up and checks. `make demo` and `make test` work on a fresh Debian 12 machine with Python 3.11.
VENV ?= .venv
PY := $(VENV)/bin/python
# What each target needs: the demo only the package; Spark adds pyspark; the tests add AWS (boto3, s3fs)
# and the test bench.
DEMO_STAMP := $(VENV)/.installed-demo
SPARK_STAMP := $(VENV)/.installed-spark
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo demo-spark test checks lint typecheck deps layers plain-install checkov pytest system-deps clean

$(PY):
	@echo "== creating $(VENV)"
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(DEMO_STAMP): pyproject.toml | $(PY)
	@echo "== installing cinelake and what the demo needs (no Spark, no test tools)"
	$(PY) -m pip install --quiet --progress-bar on -e .
	$(PY) -m pip check
	touch $@

$(SPARK_STAMP): pyproject.toml | $(PY)
	@echo "== installing cinelake with the Spark engine (pyspark)"
	$(PY) -m pip install --quiet --progress-bar on -e '.[spark]'
	$(PY) -m pip check
	touch $@ $(DEMO_STAMP)

$(DEV_STAMP): pyproject.toml | $(PY)
	@echo "== installing cinelake with Spark, AWS and the test bench"
	$(PY) -m pip install --quiet --progress-bar on -e '.[spark,aws,dev]'
	$(PY) -m pip check
	touch $@ $(SPARK_STAMP) $(DEMO_STAMP)

system-deps:
	bash scripts/system-deps.sh

## Run the whole lake on the packaged snapshot, offline (DuckDB engine: no Java needed).
demo: $(DEMO_STAMP)
	$(VENV)/bin/cinelake demo

## The same on the Spark engine (installs a Java 17 runtime when missing).
demo-spark: $(SPARK_STAMP)
	bash scripts/system-deps.sh java
	$(VENV)/bin/cinelake demo --engine spark

## Lint, type-check, dependency and layer checks, and every test (unit and integration).
# The checks run side by side (most of their time is pip installing into clean venvs, not CPU),
# each one's output kept together; the tests start once every check has passed.
test: $(DEV_STAMP) system-deps
	$(MAKE) --no-print-directory -j 4 --output-sync=target checks
	$(MAKE) --no-print-directory pytest

checks: lint typecheck deps layers plain-install checkov

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check src tests bench scripts

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

# Declared dependencies = imported ones.
deps: $(DEV_STAMP)
	$(VENV)/bin/deptry src

# The layers' import contracts (pyproject.toml, [tool.importlinter]).
layers: $(DEV_STAMP)
	$(VENV)/bin/lint-imports

# The package with only its aws extra in a clean venv imports every module the Lambda bundles ship.
plain-install: $(DEV_STAMP)
	$(PY) scripts/check_plain_install.py

# checkov on template.yaml, in its own venv: it pins many packages that must not meet the project's.
# The version is pinned too, so a new checkov release cannot fail the build with new checks; the
# deliberate skips are in the template (Metadata.checkov.skip) and explained in docs/aws.md.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_VERSION := 3.3.30
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)

$(CHECKOV_STAMP):
	@echo "== installing checkov $(CHECKOV_VERSION) into $(CHECKOV_VENV)"
	python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

checkov: $(CHECKOV_STAMP)
	$(CHECKOV_VENV)/bin/checkov -f template.yaml --framework cloudformation --skip-download --compact --quiet
	@# checkov leaves out the resources whose Condition is false with the defaults: scan Dashboard=true too.
	sed '/^  Dashboard:$$/,/^  [A-Z]/ s/Default: "false"/Default: "true"/' template.yaml > $(CHECKOV_VENV)/template-dashboard.yaml
	$(CHECKOV_VENV)/bin/checkov -f $(CHECKOV_VENV)/template-dashboard.yaml --framework cloudformation --skip-download --compact --quiet

# Four workers on two cores: much of the suite waits on servers, subprocesses and rate limits (on a
# fresh clone an earlier suite's pytest took 8 min 34 s and 9 min 6 s with four, 9 min 14 s with
# three; the current suite 7 min 27 s to 8 min 27 s with four, and six were slower in one tree:
# 8 min 59 s against 8 min 35 s).
PYTEST_WORKERS ?= 4
pytest: $(DEV_STAMP)
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) lake reports test-artifacts .mypy_cache .ruff_cache .pytest_cache
