# Werkpad — two commands on a fresh machine:
#   make run    installs what is needed, prepares the embedded SQLite database with demo data, serves on :5000
#   make cluster runs it in the production shape: PostgreSQL, 2 web processes, 2 timer workers (Ctrl-C stops all)
#   make test   installs what is needed (incl. PostgreSQL and Chromium from Debian) and runs the whole suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup bench lint lock docs typecheck cluster faults

setup:
	bash scripts/setup.sh

run: setup
	$(BIN)/werkpad db upgrade
	$(BIN)/werkpad processes deploy
	$(BIN)/werkpad serve --demo --host $(HOST) --port $(PORT)

test: setup
	bash scripts/setup.sh --test
	$(BIN)/ruff check .
	$(BIN)/mypy
	WERKPAD_REQUIRE_PG=1 $(BIN)/pytest -q -n 2

cluster: setup
	$(BIN)/python scripts/cluster.py --port $(PORT)

faults: setup
	$(BIN)/python -m bench.faults

typecheck:
	$(BIN)/mypy

lint:
	$(BIN)/ruff check engine web tests bench

bench: setup
	$(BIN)/python -m bench.run_all

lock:
	$(BIN)/pip-compile --quiet --extra test --strip-extras -o requirements.lock pyproject.toml
