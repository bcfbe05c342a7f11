# PII Reports — every target bootstraps .venv from pyproject.toml when it is missing or stale.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KERNEL := pii-reports

.DEFAULT_GOAL := help
.PHONY: help setup report reports test bench lab lint clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml scripts/bootstrap_venv.py
	$(PYTHON) scripts/bootstrap_venv.py $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "PII Reports" >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install the project

report: $(STAMP) ## render the default report: Bắc Giang 2023, published data, plan 41/KH-UBND (RENDERER=auto|builtin|quarto)
	$(BIN)/pii report bac-giang --edition 2023 --params params/bac-giang.yaml --renderer $(or $(RENDERER),auto)

reports: $(STAMP) ## render every province of an edition (EDITION=2023 DATA=published RENDERER=auto)
	$(BIN)/pii report --all --edition $(or $(EDITION),2023) --data $(or $(DATA),published) --renderer $(or $(RENDERER),auto)

test: $(STAMP) ## run the whole test suite (unit, data, regression, notebooks, end-to-end)
	$(BIN)/python -m pytest

bench: $(STAMP) ## benchmark the report pipeline (results in reports/bench/)
	$(BIN)/python -m pii_lib.run.bench

lab: $(STAMP) ## open JupyterLab on notebooks/
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP) ## static checks (ruff)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ruff check --select E,F,W pii_lib tests

clean: ## remove generated reports (keeps .venv)
	rm -rf reports/20* reports/demo reports/bench
