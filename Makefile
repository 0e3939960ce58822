# The news archive: `make html` builds the site, `make test` runs every test.
# Both set up their own virtual environment from the hash-pinned requirements.txt.

PY ?= python3
VENV ?= .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
SETTINGS ?= pelicanconf.py
OUTPUT ?= output
WORK ?= var
PELICAN_OPTS ?=
export PYTHONPATH := $(CURDIR)/plugins

.PHONY: help venv html publish serve devserver test test-fast lint reindex bench clean lock

help:
	@echo "make html       convert content/dumps/ and build the site into $(OUTPUT)/ (STRICT=1: fail on rejected dumps)"
	@echo "make test       run the whole test suite"
	@echo "make serve      serve $(OUTPUT)/ and the search service on http://$(HOST):$(PORT)/"
	@echo "make reindex    rebuild the search index from scratch"
	@echo "make bench      run the benchmark scripts (needs ../shared/data)"
	@echo "make lint       ruff"
	@echo "make clean      remove output, caches and the search index"

$(STAMP): requirements.txt
	$(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade "pip==25.3"
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

html: $(STAMP)
	$(PYTHON) -m pelican content -s $(SETTINGS) -o $(OUTPUT) $(PELICAN_OPTS)
	$(PYTHON) -m news_archive report --work $(WORK) $(if $(STRICT),--strict)

publish: $(STAMP)
	$(PYTHON) -m pelican content -s publishconf.py $(PELICAN_OPTS)
	$(PYTHON) -m news_archive report --work $(WORK) $(if $(STRICT),--strict)

reindex: $(STAMP)
	$(PYTHON) -m news_archive reindex --settings $(SETTINGS)

serve: $(STAMP)
	@test -d $(OUTPUT) || $(MAKE) html
	$(PYTHON) -m news_archive serve --settings $(SETTINGS) --output $(OUTPUT) --host $(HOST) --port $(PORT)

devserver: $(STAMP)
	$(PYTHON) -m pelican content -s $(SETTINGS) -o $(OUTPUT) --autoreload & \
	$(PYTHON) -m news_archive serve --settings $(SETTINGS) --output $(OUTPUT) --host $(HOST) --port $(PORT)

# axe-core for the browser tests' accessibility checks, from the npm registry by lock file.
BROWSER_DEPS := tests/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests/browser && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the axe-core checks in tests/browser will skip (under CI=true they fail)"; fi

test: $(STAMP) $(BROWSER_DEPS)
	$(PYTHON) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check plugins tests bench pelicanconf.py publishconf.py

bench: $(STAMP)
	for script in bench/*.py; do $(PYTHON) $$script || exit 1; done

clean:
	rm -rf $(OUTPUT) $(WORK) content/generated .pytest_cache test-artifacts

lock:
	$(PYTHON) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o requirements.txt requirements.in
