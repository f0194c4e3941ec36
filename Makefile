# The two commands of the README: `make run` (dashboard on the demo database) and `make test`.
# The inner loop: `make test-fast` (no browser, PostgreSQL, ClickHouse or slow property tests), `make lint`, `make format`,
# `make typecheck`; `make check` runs the three checks CI runs before the tests.
.PHONY: run test test-fast setup setup-test lint format typecheck check bench

PORT ?= 8050
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
# `make test` runs the tests in TEST_WORKERS processes (pytest-xdist; a test file stays in one process): the machine
# has 2 cores and a browser test waits on its page much of the time. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2

setup:
	bash scripts/setup.sh run

setup-test:
	bash scripts/setup.sh test

run: setup
	.venv/bin/rfma serve --no-auth --host $(HOST) --port $(PORT)

test: setup-test
	.venv/bin/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-fast: setup-test
	.venv/bin/python -m pytest -q -m "not browser and not postgres and not slow and not server and not clickhouse" $(PYTEST_ARGS)

lint: setup-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: setup-test
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

typecheck: setup-test
	.venv/bin/mypy

check: lint typecheck

# Scale benchmark (default sizes demo,1m; 10M is opt-in: BENCH_ARGS="--sizes demo,1m,10m") and the dashboard render benchmark.
BENCH_ARGS ?=
bench: setup-test
	.venv/bin/pip install -q -e ".[test,bench]"
	.venv/bin/python bench/bench.py $(BENCH_ARGS)
	.venv/bin/python bench/bench_dashboard.py
