# neural-models: every target sets itself up (a venv in .venv from requirements.txt).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

.PHONY: setup test lint unit notebooks report bench lab clean distclean

setup: $(STAMP)

# Re-runs whenever requirements.txt or pyproject.toml changes. The pinned
# requirements need Python 3.11 or newer: the interpreter is checked first, and
# a .venv made by an older one is rebuilt (with a message saying so).
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
	  echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); neural-models needs 3.11 or newer."; \
	  echo "       Run e.g. 'make test PYTHON=python3.11'."; exit 1; }
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then \
	  echo "==> setup: $(VENV) was made by Python $$($(PY) -c 'import platform; print(platform.python_version())') (< 3.11): rebuilding it"; \
	  rm -rf $(VENV); fi
	@echo "==> setup: creating $(VENV) and installing requirements.txt"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -r requirements.txt
	@# build matplotlib's font cache now: its one-time notice on stderr would
	@# otherwise land in the first notebook cell that imports pyplot
	$(PY) -c "import matplotlib.pyplot" 2>&1 | sed 's/^/    /'
	@touch $@

lint: setup
	@echo "==> ruff"
	$(VENV)/bin/ruff check .
	@echo "==> ruff: notebook code at most 79 columns (it prints unwrapped in the code appendix)"
	$(VENV)/bin/ruff check --line-length 79 notebooks

unit: setup
	@echo "==> unit tests"
	$(PY) -m pytest tests

notebooks: setup
	@echo "==> notebooks under strict nbval"
	$(PY) -m pytest $(NBVAL) $(NOTEBOOKS)

test: lint unit notebooks

report: setup
	@echo "==> report: checking the TeX toolchain"
	@bash report/ensure_tex.sh
	$(PY) report/build.py $(if $(CODE),--code,) $(if $(FULL),--full,)

bench: setup
	$(PY) benchmarks/run.py

# JupyterLab blocks the terminal and prints the URL to open; Ctrl-C stops it.
# As root (containers) it needs --allow-root; extra options go in LAB_ARGS.
LAB_ARGS ?=
lab: setup
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS) notebooks/

clean:
	rm -rf report/build .pytest_cache .ruff_cache benchmarks/build *.egg-info
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

# clean, and remove the virtual environment too (the next target rebuilds it)
distclean: clean
	rm -rf $(VENV)
