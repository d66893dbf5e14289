# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KARTOTEKA_HOST ?= 127.0.0.1
export KARTOTEKA_PORT ?= 8000

.PHONY: run test install lint schema bench clean

$(STAMP): pyproject.toml tests/sample_plugin/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -e tests/sample_plugin
	touch $(STAMP)

install: $(STAMP)

## Serve GraphQL (GraphiQL at http://$(KARTOTEKA_HOST):$(KARTOTEKA_PORT)/graphql) on an embedded SQLite file.
run: $(STAMP)
	$(BIN)/kartoteka migrate
	$(BIN)/kartoteka demo --if-empty
	$(BIN)/kartoteka serve --no-migrate

## The whole test suite: SQLite, PostgreSQL and RabbitMQ (all must be reachable).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

schema: $(STAMP)
	$(BIN)/kartoteka schema export

bench: $(STAMP)
	$(BIN)/python bench/graphql_throughput.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
