# Two entry points on a fresh machine (Python 3.11+, Java 17+, Maven; Go 1.22+ for `make test`):
#   make demo   set everything up, start a local 3-zone cluster, plan and apply specs/
#   make test   lint, type-check and run the whole test suite against real Kafka

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
ACTIONLINT_VERSION = v1.7.12
ACTIONLINT = $(BIN)/.actionlint-$(ACTIONLINT_VERSION)
# The browser tests of `kadmin ui` drive this Chromium (Debian's package; Playwright's own download is not used).
CHROMIUM ?= $(or $(KADMIN_TEST_CHROMIUM),/usr/bin/chromium)
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: demo test lint unit integration bench-local bench-validate bench-plan bench-scoped bench-offsets bench-export down clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# actionlint checks the GitHub workflows (tests/unit/test_workflows.py); Go builds it into the venv.
$(ACTIONLINT): | $(STAMP)
	GOBIN=$(abspath $(BIN)) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	touch $(ACTIONLINT)

# Installed only when missing.
$(CHROMIUM):
	$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium

demo: $(STAMP)
	$(BIN)/kadmin local up --nodes 3
	$(BIN)/kadmin validate specs/
	$(BIN)/kadmin plan specs/
	$(BIN)/kadmin apply specs/ --auto-approve
	$(BIN)/kadmin plan specs/ --detailed-exitcode
	$(BIN)/kadmin zones
	@echo "The cluster keeps running; stop it with: $(BIN)/kadmin local down"

test: lint $(ACTIONLINT) $(CHROMIUM)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: $(STAMP) $(ACTIONLINT)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest tests/integration

bench-local: $(STAMP)
	$(BIN)/python bench/local_cluster.py --nodes 3

bench-validate: $(STAMP)
	$(BIN)/python bench/validate_scale.py

bench-plan: $(STAMP)
	$(BIN)/python bench/plan_scale.py --topics 10000 --partitions 1

bench-scoped: $(STAMP)
	$(BIN)/python bench/plan_scoped.py

bench-offsets: $(STAMP)
	$(BIN)/python bench/offsets_reset.py

bench-export: $(STAMP)
	$(BIN)/python bench/export_scale.py

down: $(STAMP)
	$(BIN)/kadmin local down

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
