# Two commands from a fresh clone: `make build` and `make test`.
# Both create .venv when missing and install policygen with its test extras into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test lint typecheck unit browser-deps schema i18n golden bench fonts clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## build: validate and render every company in companies/ into output/
build: $(STAMP)
	$(BIN)/policygen build

## test: ruff, mypy (strict) and the whole pytest suite
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) browser-deps
	$(BIN)/pytest

## browser-deps: Debian's chromium and the npm packages of tests/browser, for tests/test_browser.py.
## Best effort: where either cannot be installed, the browser tests skip and say why.
BROWSER_MODULES := tests/browser/node_modules/.package-lock.json

browser-deps: $(BROWSER_MODULES)
	-@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  . /etc/os-release 2>/dev/null; \
	  if [ "$$(id -u)" = 0 ] && [ "$$ID" = debian ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; } \
	      || echo "browser tests: could not install chromium; they will be skipped"; \
	  else \
	    echo "browser tests: install Debian's chromium (as root: apt-get install chromium) to run them"; \
	  fi; }

$(BROWSER_MODULES): tests/browser/package.json tests/browser/package-lock.json
	-@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/browser --no-audit --no-fund || echo "browser tests: npm ci failed; they will be skipped"; \
	else \
	  echo "browser tests: install Node.js and npm, then run make browser-deps"; \
	fi

## i18n: extract template strings into locales/messages.pot and merge them into each catalog
i18n: $(STAMP)
	$(BIN)/python scripts/update_catalogs.py

## golden: rewrite the reviewed copies in tests/golden after an intended change, then read `git diff`
golden: $(STAMP)
	POLICYGEN_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_golden.py

## schema: refresh the committed JSON Schema after changing the facts model
schema: $(STAMP)
	$(BIN)/policygen schema > schema/company.schema.json

## fonts: cut the full Noto Sans of benchmarks/reference/fonts down to Polish, English and German
## into templates/assets/fonts (committed; run after changing the ranges in scripts/subset_fonts.py)
fonts: $(STAMP)
	$(BIN)/python scripts/subset_fonts.py

## bench: time full, no-op and parallel builds and the CLI on 100 companies; writes benchmarks/results.md
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) output/*/
