# The news archive: `make html` builds the site, `make test` runs every test.
# Both set up their own virtual environment: `make html` from the hash-pinned runtime lock
# (requirements.txt) plus the plugin itself; `make test` and `make lint` add the test tools
# (requirements-dev.txt).

PY ?= python3
VENV ?= .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8000
HOST ?= 127.0.0.1
SETTINGS ?= pelicanconf.py
OUTPUT ?= output
WORK ?= var
PELICAN_OPTS ?=
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras

.PHONY: help venv html watch publish serve devserver test test-fast lint reindex bench clean lock docs

help:
	@echo "make html       convert content/dumps/ and build the site into $(OUTPUT)/ (STRICT=1: fail on rejected dumps)"
	@echo "make watch      build, then rebuild in the same process on every change under content/ (Ctrl-C stops)"
	@echo "make test       run the whole test suite"
	@echo "make serve      serve $(OUTPUT)/ and the search service on http://$(HOST):$(PORT)/"
	@echo "make reindex    rebuild the search index from scratch"
	@echo "make bench      run the benchmark scripts (needs ../shared/data)"
	@echo "make lint       ruff"
	@echo "make docs       regenerate docs/settings.md from plugins/news_archive/settings.py"
	@echo "make lock       recompile requirements.txt and requirements-dev.txt (pip-compile)"
	@echo "make clean      remove output, caches and the search index"

$(PYTHON):
	$(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade "pip==25.3"

# The plugin is installed editable (a .pth entry for plugins/): `make html`, the tests and
# the benchmarks run the code in the tree as it is now, with no reinstall after each edit
# (a copied install would silently run stale code, and the caches keyed by the plugin's
# source would key on the copy). What an edit of the code does not reach, the metadata in
# pyproject.toml (dependencies, the `news-archive` script), reinstalls when it changes.
# No build isolation: setuptools comes from the lock, so nothing is fetched unpinned.
$(STAMP): requirements.txt pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(DEV_STAMP)

venv: $(STAMP)

html: $(STAMP)
	$(PYTHON) -m pelican content -s $(SETTINGS) -o $(OUTPUT) $(PELICAN_OPTS)
	$(PYTHON) -m news_archive report --work $(WORK) $(if $(STRICT),--strict)

# One long-running build: the first build, then one per burst of changes, in one process
# that keeps the loaded NER model and the other pure tables (plugins/news_archive/watch.py).
watch: $(STAMP)
	$(PYTHON) -m news_archive watch --settings $(SETTINGS) --output $(OUTPUT)

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

# Both cores: one pytest-xdist worker per core, each test file whole on one worker (its
# module fixtures, e.g. a built archive, are built once); the sample archive is built once
# for all workers (tests/support.py `built_once`). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
test: $(DEV_STAMP) $(BROWSER_DEPS)
	$(PYTHON) -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check plugins tests bench pelicanconf.py publishconf.py

bench: $(DEV_STAMP)
	for script in bench/*.py; do $(PYTHON) $$script || exit 1; done

clean:
	rm -rf $(OUTPUT) $(WORK) content/generated .pytest_cache test-artifacts

docs: $(STAMP)
	$(PYTHON) -c "from news_archive.settings import markdown; print(markdown(), end='')" > docs/settings.md

# Both locks keep every pinned version they can (pip-compile reuses the pins of the file
# it rewrites; the dev lock is constrained by the runtime one, so shared packages agree).
lock: $(STAMP)
	$(PYTHON) -m pip install --quiet "pip-tools==7.6.2"
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in
