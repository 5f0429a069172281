# Two commands from a fresh clone: `make build` and `make test`.
# Both create .venv when missing and install policygen with its test extras into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build compiled test lint typecheck unit browser-deps site-deps schema readme i18n golden bench fonts clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## build: validate and render every company in companies/ into output/
build: compiled
	$(BIN)/policygen build

## compiled: compile policygen's modules and templates into the installation, as a wheel's install
## compiles its modules, so that no run compiles them again (a run never writes them itself)
compiled: $(STAMP)
	$(BIN)/python -m generator.compiled_templates

## test: ruff, mypy (strict) and the whole pytest suite
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: compiled browser-deps site-deps
	$(BIN)/pytest

## browser-deps: Debian's chromium and the npm packages of tests/browser and of the examples (the
## consent banner), for the browser, scan and site tests. Best effort: where either cannot be installed,
## those tests are skipped and say why.
NPM_MODULES := tests/browser/node_modules/.package-lock.json \
  $(foreach example,static mkdocs hugo,examples/$(example)/node_modules/.package-lock.json)

browser-deps: $(NPM_MODULES)
	$(call debian_package,chromium,browser tests)

%/node_modules/.package-lock.json: %/package.json %/package-lock.json
	-@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $* --no-audit --no-fund || echo "$*: npm ci failed; the tests that need it will be skipped"; \
	else \
	  echo "$*: install Node.js and npm, then run make browser-deps"; \
	fi

## site-deps: Debian's hugo, for the Hugo example in tests/test_site_generators.py (MkDocs comes
## with the test extra). Best effort: where it cannot be installed, the Hugo tests skip and say why.
site-deps:
	$(call debian_package,hugo,Hugo site tests)

# $(call debian_package,PROGRAM,TESTS): install the Debian package of that name when root on Debian.
define debian_package
	-@command -v $(1) >/dev/null 2>&1 || test -x /usr/bin/$(1) || { \
	  . /etc/os-release 2>/dev/null; \
	  if [ "$$(id -u)" = 0 ] && [ "$$ID" = debian ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q $(1) || { apt-get update -q && apt-get install -y -q $(1); } \
	      || echo "$(2): could not install $(1); they will be skipped"; \
	  else \
	    echo "$(2): install Debian's $(1) (as root: apt-get install $(1)) to run them"; \
	  fi; }
endef

## i18n: extract template strings into locales/messages.pot and merge them into each catalog
i18n: $(STAMP)
	$(BIN)/python scripts/update_catalogs.py

## golden: rewrite the reviewed copies in tests/golden after an intended change, then read `git diff`
golden: $(STAMP)
	POLICYGEN_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_golden.py

## schema: refresh the committed JSON Schema after changing the facts model
schema: $(STAMP)
	$(BIN)/policygen schema > schema/company.schema.json

## readme: refresh the parts of README.md made from the code (the table of output kinds)
readme: $(STAMP)
	$(BIN)/python scripts/update_readme.py

## fonts: cut the full Noto Sans of benchmarks/reference/fonts down to Polish, English and German
## into templates/assets/fonts (committed; run after changing FONT_CHARACTER_RANGES in generator/resources.py)
fonts: $(STAMP)
	$(BIN)/python scripts/subset_fonts.py

## bench: time full, no-op and parallel builds and the CLI on 100 companies; writes benchmarks/results.md
bench: compiled
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) output/*/ generator/_compiled_templates
