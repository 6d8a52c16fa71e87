# Every target works on a fresh machine with Python 3.11: the first one that needs
# the virtualenv creates .venv and installs the pinned requirements into it.
#
# The db-* targets and `shell` run inside the app container when the compose stack
# is up (`make up`), and locally against DATABASE_URL (default: SQLite in
# instance/) when it is not.

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL server `make test-postgres` creates its throwaway database on,
# and the Redis server its rate-limit test uses (keys expire within a minute).
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
COMPOSE ?= $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; else echo docker-compose; fi)

export FLASK_APP := wsgi

RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

# $(call flask,ARGS): `flask ARGS` in the app container if the stack runs, else locally.
define flask
	@if [ -n "$$($(COMPOSE) ps --services --filter status=running 2>/dev/null | grep -x app)" ]; then \
		echo "+ flask $(1)   (in the app container)"; \
		$(COMPOSE) exec --user "$$(id -u):$$(id -g)" app flask $(1); \
	else \
		$(MAKE) --no-print-directory $(RUNTIME) && \
		echo "+ flask $(1)   (local, DATABASE_URL=$${DATABASE_URL:-from .env or the SQLite default})" && \
		$(BIN)/flask $(1); \
	fi
endef

.PHONY: help install run dev test test-postgres fuzz bench lint fmt typecheck check \
	up down logs db-revision db-upgrade db-downgrade db-check shell clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(RUNTIME)

install: $(DEV) ## Create .venv with the pinned runtime and development requirements

run: $(RUNTIME) ## Upgrade the database and serve the API with gunicorn on HOST:PORT (127.0.0.1:8000)
	$(BIN)/flask db upgrade
	HOST=$(HOST) PORT=$(PORT) exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

dev: $(RUNTIME) ## Upgrade the database and run Flask's reloading debug server on HOST:PORT
	$(BIN)/flask db upgrade
	$(BIN)/flask run --debug --host $(HOST) --port $(PORT)

test: $(DEV) ## Run the test suite (SQLite; PostgreSQL when TEST_DATABASE_URL is set). ARGS=... for pytest
	$(BIN)/pytest $(ARGS)

test-postgres: $(DEV) ## Run the test suite on PostgreSQL (TEST_POSTGRES_URL), with Redis (TEST_REDIS_URL)
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(ARGS)

fuzz: $(DEV) ## Contract fuzzing alone (schemathesis); FUZZ_EXAMPLES=1000 for a deeper run
	$(BIN)/pytest -m fuzz $(ARGS)

bench: $(DEV) ## The hot path vs bare Flask + psycopg handlers (PostgreSQL, Redis, wrk); fails on a missed target
	@command -v wrk >/dev/null || { echo "+ apt-get install wrk"; apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/run.py

lint: $(DEV) ## ruff (lint and formatting) and import-linter (the layers, docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: $(DEV) ## ruff: format and apply safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(DEV) ## mypy (strict) on app/
	$(BIN)/mypy

check: lint typecheck test ## lint, typecheck and test

up: ## Start PostgreSQL and the app with docker compose (the app migrates, then serves)
	$(COMPOSE) up --build --detach

down: ## Stop the compose stack (the database volume is kept)
	$(COMPOSE) down

logs: ## Follow the compose stack's logs
	$(COMPOSE) logs --follow

db-revision: ## Autogenerate a migration from the models: make db-revision msg="create widgets table"
	@if [ -z "$(msg)" ]; then echo 'usage: make db-revision msg="what changed"' >&2; exit 2; fi
	$(call flask,db upgrade)
	$(call flask,db migrate -m "$(msg)")

db-upgrade: ## Apply every pending migration
	$(call flask,db upgrade)

db-downgrade: ## Revert migrations: one by default, or rev=<revision|base>
	$(call flask,db downgrade $(rev))

db-check: ## Fail if the models and the migrations differ (run after db-upgrade)
	$(call flask,db check)

shell: ## flask shell with db, the models and the repositories loaded
	$(call flask,shell)

clean: ## Remove .venv and caches (keeps instance/ and its database)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
