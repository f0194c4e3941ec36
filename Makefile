# The two commands of the README: `make run` (dashboard on the demo database) and `make test`.
.PHONY: run test setup setup-test bench

PORT ?= 8050
HOST ?= 127.0.0.1

setup:
	bash scripts/setup.sh run

setup-test:
	bash scripts/setup.sh test

run: setup
	.venv/bin/rfma serve --host $(HOST) --port $(PORT)

test: setup-test
	.venv/bin/python -m pytest -q

# Scale benchmark (default sizes demo,1m; 10M is opt-in: BENCH_ARGS="--sizes demo,1m,10m") and the dashboard render benchmark.
BENCH_ARGS ?=
bench: setup-test
	.venv/bin/pip install -q -e ".[test,bench]"
	.venv/bin/python bench/bench.py $(BENCH_ARGS)
	.venv/bin/python bench/bench_dashboard.py
