# Entry points: `make test`, `make demo` and `make bench`. Each builds its own virtual environment on first use.
# `make bench` also installs the peers it compares against into benchmarks/.venv-peers (never into .venv).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: test demo bench lint typecheck unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	@touch $@

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests examples

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

unit: $(VENV)/.dev-installed
	$(BIN)/pytest -q

test: lint typecheck unit

demo: $(VENV)/.dev-installed
	$(BIN)/python examples/quickstart_offline.py

# BENCH_ARGS=--no-peers (or --quick, --only nonstream ...) narrows the run; see benchmarks/bench.py --help
bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache benchmarks/.venv-peers
