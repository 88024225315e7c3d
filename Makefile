# Two entry points on a fresh machine (see README.rst):
#   make demo  - create .venv, install, run the end-to-end demo against a local AWS emulator
#   make test  - create .venv, install the test extra, run the whole suite and the linters
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test venv lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip >/dev/null

venv: $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'

demo: venv
	$(BIN)/python scripts/demo.py

lint: venv
	$(BIN)/ruff check chalice tests benchmarks scripts
	$(BIN)/mypy

test: venv
	$(BIN)/ruff check chalice tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto -p no:cacheprovider tests

clean:
	rm -rf $(VENV) build *.egg-info
