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
DEMO_STATS_DIR := data/demo-stats
IMPORT_DIR  := data/imported

.PHONY: help demo test lint lab install clean mutation bytecode
.DEFAULT_GOAL := help

help: ## 列出各目标及说明（默认目标）/ list the targets (the default)
	@echo "用法 / usage: make <目标 target>    快速开始 / quick start: make demo, make test"
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-zA-Z][a-zA-Z0-9_-]*:[^=]*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(STAMP) ## 创建 .venv 并安装本包及开发依赖，注册 Jupyter 内核 / create .venv, install the package (editable) with its dev extra

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "需要 Python 3.11 或更高版本 / Python >= 3.11 is required"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# The package's modules compiled once (a no-op when up to date): where PYTHONDONTWRITEBYTECODE is set (as on CI
# machines) every report kernel and command would otherwise compile them again (≈0.2 s of CPU per process).
bytecode: $(STAMP) ## 预先编译本包的模块（已是最新则不做任何事）/ compile the package's modules once (a no-op when up to date)
	@$(BIN)/python -m compileall -q quality_balance >/dev/null

demo: bytecode ## 生成演示数据、评估、生成报告并打印报告位置 / demo data, assessment, reports, ledgers
	$(BIN)/quality-balance demo --out $(DEMO_DIR)
	$(BIN)/quality-balance template --out data/templates >/dev/null
	$(BIN)/quality-balance assess $(DEMO_DIR) --out $(REPORTS_DIR)/tables
	$(BIN)/quality-balance ledger $(DEMO_DIR) --out $(REPORTS_DIR)/ledger --year 2025 >/dev/null
	$(BIN)/quality-balance render $(DEMO_DIR) --out $(REPORTS_DIR)
	$(BIN)/quality-balance demo-workbooks $(DEMO_DIR) --out $(DEMO_STATS_DIR) --year 2025
	$(BIN)/quality-balance import-stats $(DEMO_STATS_DIR) --out $(IMPORT_DIR)
	@echo "数据模板 / input templates: $(abspath data/templates)"
	@echo "基础基统计报表（演示，2025）/ statistics workbooks: $(abspath $(DEMO_STATS_DIR))，导入结果 / imported: $(abspath $(IMPORT_DIR))"
	@echo "整改台账 / rectification ledgers (2025): $(abspath $(REPORTS_DIR))/ledger"
	@echo "报告索引 / report index: $(abspath $(REPORTS_DIR))/index.html"

test: lint bytecode ## 运行代码检查和全部测试（含 nbval 执行 notebooks/）/ ruff, then the whole test suite, notebooks included
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## 用 ruff 检查代码（行宽 120）/ check the code with ruff (line length 120)
	$(BIN)/ruff check .

mutation: $(STAMP) ## 变异测试：在方法代码中植入小错误，统计测试发现的比例 / plant small bugs in the method code and count how many the tests catch (ARGS="--limit 20")
	$(BIN)/python scripts/mutation.py $(ARGS)

lab: bytecode ## 打开 JupyterLab：根目录为本仓库（data/、notebooks/、reports/ 都在左侧文件栏），先打开 notebooks/explore.ipynb / JupyterLab at the repository root, on notebooks/explore.ipynb
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" notebooks/explore.ipynb

clean: ## 删除 .venv、reports/ 下的输出与构建文件 / remove .venv, rendered reports and build files
	rm -rf $(VENV) $(REPORTS_DIR)/* build *.egg-info
	find quality_balance -name __pycache__ -type d -prune -exec rm -rf {} +
