# digicoach: `make run` serves the app with demo data, `make test` runs every check.
# Both work on a fresh clone: they make .venv with python3.11 when it is missing.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
# pytest-xdist workers; conftest gives each worker its own PostgreSQL database.
WORKERS ?= 2
PYTEST_ARGS ?=
# The flask CLI runs the development settings (SQLite in instance/) unless told otherwise;
# DATABASE_URL or DIGICOACH_SQLALCHEMY_DATABASE_URI point it at PostgreSQL.
DIGICOACH_ENV ?= development
FLASK := DIGICOACH_ENV=$(DIGICOACH_ENV) $(BIN)/flask --app digicoach
LINT_PATHS := digicoach tests config.py wsgi.py $(wildcard bench) $(wildcard deploy)

# Installs are redone only when pyproject.toml is newer than their stamp.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: help run test test-sqlite test-postgres test-sqlite-unit test-postgres-unit test-browser fast-test lint translations compile-translations

help:
	@echo "make run                  serve http://$(HOST):$(PORT) with demo data and the scheduler"
	@echo "make prod                 the production shape: gunicorn (4 workers), Redis, scheduler"
	@echo "make test                 lint, then the whole suite on SQLite (and PostgreSQL when"
	@echo "                          TEST_DATABASE_URL is set)"
	@echo "make fast-test            the suite without browser and concurrency tests (SQLite)"
	@echo "make test-sqlite | test-postgres   one engine, browser journeys included"
	@echo "make test-browser         the browser journeys alone | make lint"
	@echo "make translations         extract strings and update the catalogues"
	@echo "make compile-translations compile the catalogues the app reads"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(RUN_STAMP)

compile-translations: $(RUN_STAMP)
	$(FLASK) translate compile

translations: $(RUN_STAMP)
	$(FLASK) translate update

# The scheduler runs beside the web server as its own process, as in production; the trap
# stops it when the server stops (Ctrl-C), since background jobs of a script ignore SIGINT.
# Both get FLASK_RUN_HOST and FLASK_RUN_PORT: without DIGICOACH_PUBLIC_BASE_URL, the links in
# e-mails, SMS and calendar feeds follow the address served (config.development_base_url).
RUN_ADDRESS := FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT)
run: $(RUN_STAMP) compile-translations
	@$(BIN)/python -c "from digicoach.recognition.fonts import font_dir; font_dir()" 2>/dev/null \
		|| echo "Warning: the DejaVu fonts are missing (apt-get install fonts-dejavu-core):" \
			"certificates and hours statements answer 'cannot be made yet' until they are there."
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@scheduler=""; \
	if $(FLASK) scheduler --help >/dev/null 2>&1; then \
		$(RUN_ADDRESS) $(FLASK) scheduler run & scheduler=$$!; \
	else \
		echo "(No scheduler command yet: reminders are not sent in the background.)"; \
	fi; \
	trap 'if [ -n "$$scheduler" ]; then kill $$scheduler 2>/dev/null || true; wait $$scheduler 2>/dev/null || true; fi' EXIT INT TERM; \
	$(RUN_ADDRESS) $(FLASK) run --host $(HOST) --port $(PORT)

lint: $(TEST_STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/lint-imports

# Both engines run even when the first fails, so one CI run shows every failure. The browser
# journeys run once, on PostgreSQL when it is there (the production engine), else on SQLite:
# they test pages, and both engines are already proven by everything under them.
test: $(TEST_STAMP) compile-translations lint
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite-unit || status=$$?; \
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
		$(MAKE) --no-print-directory test-postgres-unit || status=$$?; \
	else \
		echo "TEST_DATABASE_URL is not set: skipped the PostgreSQL run."; \
	fi; \
	$(MAKE) --no-print-directory test-browser || status=$$?; \
	exit $$status

# Browser tests run in xdist workers too: each worker has its own Chromium, app and live server
# (6 minutes instead of 10.5 on 2 cores: a journey waits on the browser half of the time).
PYTEST_PARALLEL := $(BIN)/pytest -n $(WORKERS) -m "not browser" $(PYTEST_ARGS)
PYTEST_BROWSER := $(BIN)/pytest -n $(WORKERS) -m browser $(PYTEST_ARGS)
NEEDS_POSTGRES = @if [ -z "$${TEST_DATABASE_URL:-}" ]; then \
		echo "Set TEST_DATABASE_URL, e.g. postgresql://postgres@127.0.0.1:5432/digicoach_test"; \
		exit 2; \
	fi

test-sqlite: test-sqlite-unit
	env -u TEST_DATABASE_URL $(PYTEST_BROWSER)

test-postgres: test-postgres-unit
	$(PYTEST_BROWSER)

test-sqlite-unit: $(TEST_STAMP)
	env -u TEST_DATABASE_URL $(PYTEST_PARALLEL)

test-postgres-unit: $(TEST_STAMP)
	$(NEEDS_POSTGRES)
	$(PYTEST_PARALLEL)

# On PostgreSQL when TEST_DATABASE_URL is set, else on SQLite.
test-browser: $(TEST_STAMP)
	$(PYTEST_BROWSER)

fast-test: $(TEST_STAMP)
	env -u TEST_DATABASE_URL $(BIN)/pytest -n $(WORKERS) -m "not browser and not concurrency" $(PYTEST_ARGS)

# ---------------------------------------------------------------------------------------------
# The production shape, locally (issue 9): the release step, gunicorn with 4 sync workers on
# PostgreSQL, rate limits and figure cache in Redis (127.0.0.1:6379), and ONE scheduler.
# Needs DATABASE_URL (PostgreSQL) and a running Redis. Secrets: set DIGICOACH_SECRET_KEY and
# DIGICOACH_CITIZEN_KEY_SECRET, or local throwaway ones are kept in instance/prod_*.
# SESSION_COOKIE_SECURE stays on (browsers accept secure cookies from http://127.0.0.1).
REDIS_URL ?= redis://127.0.0.1:6379
PROD_ENV = DIGICOACH_ENV=production \
	DIGICOACH_SECRET_KEY="$${DIGICOACH_SECRET_KEY:-$$(cat instance/prod_secret_key)}" \
	DIGICOACH_CITIZEN_KEY_SECRET="$${DIGICOACH_CITIZEN_KEY_SECRET:-$$(cat instance/prod_citizen_key_secret)}" \
	DIGICOACH_RATELIMIT_STORAGE_URI="$${DIGICOACH_RATELIMIT_STORAGE_URI:-$(REDIS_URL)/0}" \
	DIGICOACH_CACHE_TYPE="$${DIGICOACH_CACHE_TYPE:-RedisCache}" \
	DIGICOACH_CACHE_REDIS_URL="$${DIGICOACH_CACHE_REDIS_URL:-$(REDIS_URL)/1}" \
	DIGICOACH_SQLALCHEMY_ENGINE_OPTIONS="$${DIGICOACH_SQLALCHEMY_ENGINE_OPTIONS:-{\"pool_size\": 2, \"max_overflow\": 2, \"pool_pre_ping\": true}}" \
	DIGICOACH_PUBLIC_BASE_URL="$${DIGICOACH_PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}" \
	WEB_CONCURRENCY="$${WEB_CONCURRENCY:-4}" GUNICORN_BIND=127.0.0.1:$(PORT)

.PHONY: prod
prod: $(RUN_STAMP) compile-translations
	@if [ -z "$${DATABASE_URL:-}$${DIGICOACH_SQLALCHEMY_DATABASE_URI:-}" ]; then \
		echo "Set DATABASE_URL, e.g. postgresql://postgres@127.0.0.1:5432/digicoach_prod"; \
		exit 2; \
	fi
	@mkdir -p instance; umask 077; \
	for name in prod_secret_key prod_citizen_key_secret; do \
		[ -s instance/$$name ] || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > instance/$$name; \
	done
	$(PROD_ENV) $(BIN)/flask --app digicoach db upgrade
	@$(PROD_ENV) $(BIN)/flask --app digicoach scheduler run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null || true; wait $$scheduler 2>/dev/null || true' EXIT INT TERM; \
	$(PROD_ENV) $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app
