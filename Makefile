# pix-orga-api: `make run` serves the API on SQLite, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := .tools/bin/uv
RUN := $(UV) run --frozen
# `uv run` would otherwise add the dev group to the environment it runs in.
SERVE := $(UV) run --frozen --no-dev
PYTEST_ARGS ?=

.PHONY: help install run test lint test-sqlite test-postgresql openapi examples bench fuzz chromium clean

help:
	@echo "make run    - serve the API on http://127.0.0.1:8000 (SQLite in var/, docs at /docs)"
	@echo "make test   - lint, types, architecture contracts, then the suite on SQLite and on PostgreSQL"
	@echo "make lint | openapi | examples | bench | fuzz"

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Two stamps: serving needs the locked dependencies only; testing, linting, benchmarks and fuzzing
# add the dev group. The serving sync is inexact so that it never removes what testing installed.
.venv/.synced-run: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --no-dev --inexact
	touch $@

.venv/.synced-dev: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --all-groups
	touch $@

install: .venv/.synced-dev

run: .venv/.synced-run
	mkdir -p var
	$(SERVE) pix-orga db upgrade
	$(SERVE) pix-orga serve

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports

# The docs-page test drives Debian's Chromium; install it when missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test-sqlite: install chromium
	TEST_DATABASE=sqlite $(RUN) pytest $(PYTEST_ARGS)

test-postgresql: install chromium
	TEST_DATABASE=postgresql $(RUN) pytest $(PYTEST_ARGS)

test: lint test-sqlite test-postgresql

openapi: install
	$(RUN) python -m api.openapi_export openapi/openapi.json

# The sample SIECLE exports and rosters of examples/, used by the README's walkthrough.
examples: install
	$(RUN) python -m tests.support.siecle_samples examples/
	$(RUN) python -m tests.support.roster_samples examples/

bench: install
	$(RUN) python -m benchmarks

fuzz: install
	TEST_DATABASE=postgresql FUZZ_EXAMPLES=1000 $(RUN) pytest tests/e2e/test_fuzz_openapi.py -p no:cacheprovider

clean:
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
