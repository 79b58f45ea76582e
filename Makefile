# neural-models: every target sets itself up (a venv in .venv from requirements.txt).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.requirements-installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
NOTEBOOKS := $(wildcard notebooks/*.ipynb)

.PHONY: setup test lint unit notebooks report bench lab clean

setup: $(STAMP)

# Re-runs whenever requirements.txt or pyproject.toml changes.
$(STAMP): requirements.txt pyproject.toml
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
	$(PY) report/build.py $(if $(NO_CODE),--no-code --output report/build/neural-models-report-no-code.pdf,)

bench: setup
	$(PY) benchmarks/run.py

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

clean:
	rm -rf report/build .pytest_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
