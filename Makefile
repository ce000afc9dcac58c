# quality-balance — the two quick-start commands are `make demo` and `make test`.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The first interpreter found that is Python >= 3.11.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
DEMO_DIR    := data/demo
REPORTS_DIR := reports

.PHONY: demo test lab install clean mutation

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 或更高版本 / Python >= 3.11 is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/quality-balance demo --out $(DEMO_DIR)
	$(BIN)/quality-balance template --out data/templates >/dev/null
	$(BIN)/quality-balance assess $(DEMO_DIR) --out $(REPORTS_DIR)/tables
	$(BIN)/quality-balance ledger $(DEMO_DIR) --out $(REPORTS_DIR)/ledger --year 2025 >/dev/null
	$(BIN)/quality-balance render $(DEMO_DIR) --out $(REPORTS_DIR)
	@echo "数据模板 / input templates: $(abspath data/templates)"
	@echo "整改台账 / rectification ledgers (2025): $(abspath $(REPORTS_DIR))/ledger"
	@echo "报告索引 / report index: $(abspath $(REPORTS_DIR))/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

mutation: $(STAMP) ## 变异测试 / plant small bugs in the method code and count how many the tests catch
	$(BIN)/python scripts/mutation.py $(ARGS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) $(REPORTS_DIR)/* build *.egg-info
