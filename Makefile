# Each target creates .venv when it is missing, so a fresh clone needs only python3 and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
DOCS_STAMP := $(VENV)/.installed-docs
# pytest's xdist workers: the default suite and `test-all` share the machine's cores
WORKERS ?= 2

.PHONY: demo test test-all docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The docs tools extend the same venv; the API pages are read from this checkout's sources.
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev,docs]'
	touch $(DOCS_STAMP)

demo: $(STAMP)
	$(BIN)/hai-sim atlas --quick

test: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) -q

# default and slow suites together (every experiment, the README's commands, the atlas in a browser)
test-all: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) -q -m ''

# the API reference site, into site/; warnings are errors (strict: true in mkdocs.yml)
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

bench: $(STAMP)
	$(BIN)/hai-sim bench

clean:
	rm -rf $(VENV) results site .cache .pytest_cache
