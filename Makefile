# The two commands a user needs are `make demo` and `make test`; both bootstrap .venv from nothing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export JUPYTER_PLATFORM_DIRS := 1
export NO_MKDOCS_2_WARNING := 1
DOCS := $(PY) -m mkdocs build --strict

.PHONY: demo serve test check unit notebooks browser bench chromium js clean docs screenshots

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" != 0 ]; then echo "'$(PYTHON) -m venv' failed: run 'sudo apt-get install python3-venv'" >&2; exit 1; fi; \
	  echo "'$(PYTHON) -m venv' failed: installing Debian's python3-venv" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ipykernel)" >/dev/null
	touch $(STAMP)

## demo: the embedded Appwrite server, seeded, plus the dashboard served by Voila
demo: $(STAMP)
	$(PY) -m appwrite_widgets demo

## serve: only the embedded server, seeded with the demo users
serve: $(STAMP)
	$(PY) -m appwrite_widgets serve --seed demo

## test: lint, format, types, the docs site, unit/server/client tests (the wheel in a fresh
## venv too), notebooks (nbval), real-browser tests
test: $(STAMP) chromium js
	scripts/timed unasync $(PY) scripts/unasync.py --check
	scripts/timed lint $(PY) -m ruff check .
	scripts/timed format $(PY) -m ruff format --check .
	scripts/timed types $(PY) -m mypy
	scripts/timed docs $(DOCS)
	scripts/timed unit $(PY) -m pytest tests --ignore=tests/ui
	scripts/timed nbval $(PY) -m pytest $(NBVAL) notebooks
	scripts/timed browser $(PY) -m pytest tests/ui

chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" != 0 ]; then echo "Chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

js: tests/js/node_modules/.stamp
tests/js/node_modules/.stamp: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --silent
	touch $@

## docs: the documentation site (MkDocs) in site/; any warning fails the build
docs: $(STAMP)
	$(DOCS)

## screenshots: retake docs/images/*.png from the real dashboard in Voila (headless Chromium)
screenshots: $(STAMP) chromium
	$(PY) -m pytest tests/ui/test_screenshots.py -q --screenshots-dir docs/images

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) tests/js/node_modules test-output site
