# The two commands: `make run` starts the desk on the embedded default; `make test` tests it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("switchdesk needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(BIN)/.installed
	$(BIN)/switchdesk db upgrade
	$(BIN)/switchdesk directory load scripts/demo/directory.yaml
	$(BIN)/switchdesk kb load
	$(BIN)/switchdesk serve

test: $(BIN)/.installed
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check .

bench: $(BIN)/.installed
	$(BIN)/python scripts/bench/tickets.py

clean:
	rm -rf $(VENV) var .pytest_cache
