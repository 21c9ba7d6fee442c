# One set of entry points for people, hooks and CI.
.PHONY: setup demo test bench lint typecheck unit faults contracts kafka-up kafka-down

UV := UV_PYTHON_DOWNLOADS=never uv run --frozen

setup:
	./scripts/setup

## The hub's main job, from a fresh machine: sets everything up, then runs the demo.
demo: setup
	$(UV) hub demo

## The whole test suite, from a fresh machine: sets everything up, lints, type-checks, tests.
test: setup lint typecheck
	$(UV) pytest --durations=20  # the slowest twenty: the suite must stay under 30 minutes

## Throughput, latency and memory on the real broker, PostgreSQL and SQLite (a few minutes).
bench: setup
	$(UV) hub bench

lint:
	$(UV) ruff check .
	$(UV) ruff format --check .

typecheck:
	$(UV) mypy

## Fast feedback: the tests that need neither Kafka nor PostgreSQL.
unit:
	$(UV) pytest -m "not kafka and not postgres"

## The fault tests alone: `hub run` killed at every named crash point, broker and database outages.
faults: setup
	$(UV) pytest -m faults

contracts:
	$(UV) hub contracts export

kafka-up:
	$(UV) hub kafka up

kafka-down:
	$(UV) hub kafka down
