# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export KARTOTEKA_HOST ?= 127.0.0.1
export KARTOTEKA_PORT ?= 8000

.PHONY: run test install system-deps admin-ui admin-ui-test lint schema bench clean

$(STAMP): pyproject.toml tests/sample_plugin/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]" -e tests/sample_plugin
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests run for real: Dovecot (IMAP), Chromium (the admin UI's browser tests;
# Playwright cannot download its own browser here). Installed here so that `make test` alone
# works on a fresh machine; apt-get runs only when a package is missing.
DEBIAN_TEST_PACKAGES := dovecot-imapd chromium
system-deps:
	@missing=$$(for p in $(DEBIAN_TEST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages for the tests: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		export DEBIAN_FRONTEND=noninteractive; \
		$$SUDO apt-get install -y -q $$missing >/dev/null 2>&1 || { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q $$missing >/dev/null; }; \
	fi

# The admin UI (admin_ui/, served at /admin): built again when its build is missing or older than
# a source; its Node packages installed again when the lock file changed (npm ci stamps
# node_modules/.package-lock.json). Until admin_ui/package.json exists there is nothing to build.
ADMIN_UI := admin_ui
ifneq ($(wildcard $(ADMIN_UI)/package.json),)
ADMIN_UI_BUILD := $(ADMIN_UI)/dist/index.html
ADMIN_UI_MODULES := $(ADMIN_UI)/node_modules/.package-lock.json
ADMIN_UI_SOURCES := $(shell find $(ADMIN_UI)/src -type f 2>/dev/null) \
	$(wildcard $(ADMIN_UI)/index.html $(ADMIN_UI)/package.json $(ADMIN_UI)/package-lock.json)

$(ADMIN_UI_MODULES): $(wildcard $(ADMIN_UI)/package-lock.json)
	cd $(ADMIN_UI) && npm ci
	mkdir -p $(@D) && touch $@

$(ADMIN_UI_BUILD): $(ADMIN_UI_MODULES) $(ADMIN_UI_SOURCES)
	cd $(ADMIN_UI) && npm run build
	touch $@

admin-ui: $(ADMIN_UI_BUILD)

admin-ui-test: admin-ui
	cd $(ADMIN_UI) && npm test
else
admin-ui admin-ui-test:
	@echo "$(ADMIN_UI)/package.json does not exist yet: no admin UI to build or test."
endif

ADMIN_URL = $${KARTOTEKA_PUBLIC_URL:-http://$(KARTOTEKA_HOST):$(KARTOTEKA_PORT)}/admin

## Serve the admin UI (http://$(KARTOTEKA_HOST):$(KARTOTEKA_PORT)/admin) and GraphQL (GraphiQL at /graphql)
## on an embedded SQLite file, with the demo data on first run.
run: $(STAMP) admin-ui
	$(BIN)/kartoteka migrate
	$(BIN)/kartoteka demo --if-empty
	@echo "Admin UI: $(ADMIN_URL) (sign in as admin@demo.kartoteka.pl with the password the demo printed on its first run, or make a user: $(BIN)/kartoteka user create EMAIL --name NAME --role administrator --password)"
	$(BIN)/kartoteka serve --no-migrate

## The whole test suite: SQLite, PostgreSQL and RabbitMQ (all must be reachable).
test: $(STAMP) system-deps admin-ui-test
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
