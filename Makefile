# Every target installs the project into .venv on first use, pinned by constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint bench demo up down clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy domain

bench: $(STAMP)
	$(BIN)/python -m bench

demo: $(STAMP)
	@echo "make demo: the end-to-end demo arrives with the command-line tool; nothing to run yet." >&2; exit 2

up: $(STAMP)
	@echo "make up: the embedded stack launcher arrives with the command-line tool; nothing to run yet." >&2; exit 2

clean:
	rm -rf $(VENV) .baton .pytest_cache .mypy_cache .ruff_cache
