# Two entry points on a fresh machine (Python 3.11+, Java 17+, Maven):
#   make demo   set everything up, start a local 3-zone cluster, plan and apply specs/
#   make test   lint, type-check and run the whole test suite against real Kafka

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: demo test lint unit integration bench-validate bench-plan bench-offsets down clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kadmin local up --nodes 3
	$(BIN)/kadmin validate specs/
	$(BIN)/kadmin plan specs/
	$(BIN)/kadmin apply specs/ --auto-approve
	$(BIN)/kadmin plan specs/ --detailed-exitcode
	$(BIN)/kadmin zones
	@echo "The cluster keeps running; stop it with: $(BIN)/kadmin local down"

test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

bench-validate: $(STAMP)
	$(BIN)/python bench/validate_scale.py

bench-plan: $(STAMP)
	$(BIN)/python bench/plan_scale.py

bench-offsets: $(STAMP)
	$(BIN)/python bench/offsets_reset.py

down: $(STAMP)
	$(BIN)/kadmin local down

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
