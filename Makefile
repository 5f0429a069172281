# Two commands from a fresh clone: `make build` and `make test`.
# Both create .venv when missing and install policygen with its test extras into it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test lint typecheck unit schema i18n golden bench clean

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

unit: $(STAMP)
	$(BIN)/pytest

## i18n: extract template strings into locales/messages.pot and merge them into each catalog
i18n: $(STAMP)
	$(BIN)/python scripts/update_catalogs.py

## golden: rewrite the reviewed copies in tests/golden after an intended change, then read `git diff`
golden: $(STAMP)
	POLICYGEN_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_golden.py

## schema: refresh the committed JSON Schema after changing the facts model
schema: $(STAMP)
	$(BIN)/policygen schema > schema/company.schema.json

## bench: time full, no-op and parallel builds and the CLI on 100 companies; writes benchmarks/results.md
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) output/*/
