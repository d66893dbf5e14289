# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KARTOTEKA_HOST ?= 127.0.0.1
export KARTOTEKA_PORT ?= 8000

.PHONY: run test install system-deps lint schema bench clean

$(STAMP): pyproject.toml tests/sample_plugin/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -e tests/sample_plugin
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests run for real: Dovecot (IMAP). Installed here so that `make test` alone
# works on a fresh machine; apt-get runs only when a package is missing.
DEBIAN_TEST_PACKAGES := dovecot-imapd
system-deps:
	@missing=$$(for p in $(DEBIAN_TEST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages for the tests: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q $$missing >/dev/null 2>&1 || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q $$missing >/dev/null; }; \
	fi

## Serve GraphQL (GraphiQL at http://$(KARTOTEKA_HOST):$(KARTOTEKA_PORT)/graphql) on an embedded SQLite file.
run: $(STAMP)
	$(BIN)/kartoteka migrate
	$(BIN)/kartoteka demo --if-empty
	$(BIN)/kartoteka serve --no-migrate

## The whole test suite: SQLite, PostgreSQL and RabbitMQ (all must be reachable).
test: $(STAMP) system-deps
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
