# Everyday tasks. `make check` runs exactly what CI runs (.ci/run).
PG_URL ?= postgres://postgres@127.0.0.1:5432/dualpower

.PHONY: help check fmt lint types test test-pg demo docs

help:
	@echo "make check    everything CI runs: ruff, mypy, migrations, tests on SQLite and PostgreSQL"
	@echo "make fmt      format and autofix with ruff"
	@echo "make lint     ruff check and format check"
	@echo "make types    mypy --strict"
	@echo "make test     the test suite on SQLite"
	@echo "make test-pg  the test suite on PostgreSQL ($(PG_URL))"
	@echo "make demo     seed and serve the demo at http://127.0.0.1:8000"
	@echo "make docs     refresh the --help snapshots in docs/cli.md"

check:
	bash .ci/run

fmt:
	uv run ruff format .
	uv run ruff check --fix .

lint:
	uv run ruff check .
	uv run ruff format --check .

types:
	uv run mypy

test:
	uv run pytest

test-pg:
	DATABASE_URL=$(PG_URL) uv run pytest

demo:
	uv run dualpower demo

docs:
	UPDATE_SNAPSHOTS=1 uv run pytest tests/cli/test_cli_docs.py
