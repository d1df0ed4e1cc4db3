# The two commands the README starts with.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/sieve: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(BIN)/sieve

.PHONY: setup run test lint eval bench
setup: $(BIN)/sieve

run: setup
	$(BIN)/sieve run

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/sieve eval --gold tests/gold/seeds.json --pages seeds

bench: setup
	$(BIN)/python bench/bench.py
