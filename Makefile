# Every target installs the project into .venv on first use, pinned by constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-fast lint bench soak demo up down clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# The inner loop: every test that needs no server, browser or process of its own; under a minute.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not servers" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy --strict .

bench: $(STAMP)
	$(BIN)/python -m bench

# The load run: SOAK_INITIATIVES alive at once for SOAK_MINUTES, then every record checked;
# figures merged into bench/results.json. Fails on a lost or doubled event or a growing worker.
SOAK_INITIATIVES ?= 50
SOAK_MINUTES ?= 2
soak: $(STAMP)
	$(BIN)/python -m tests.soak --initiatives $(SOAK_INITIATIVES) --minutes $(SOAK_MINUTES)

# Two example initiatives driven end to end through `baton`, on a stack of its own; under a minute.
demo: $(STAMP)
	$(BIN)/python -m devstack.demo

# The embedded stack in the foreground (Ctrl-C stops it); `make down` stops a detached one.
up: $(STAMP)
	$(BIN)/baton up

down: $(STAMP)
	$(BIN)/baton down

clean:
	rm -rf $(VENV) .baton .pytest_cache .mypy_cache .ruff_cache
