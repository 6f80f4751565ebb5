PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint bench clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) on PATH (or run: make PY=python3 ...)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/monitor seed
	$(BIN)/monitor list
	$(BIN)/monitor diff --actor Hezbollah
	$(BIN)/monitor diff

test: $(STAMP)
	$(BIN)/ruff format --check monitor tests benchmarks
	$(BIN)/ruff check monitor tests benchmarks
	$(BIN)/mypy monitor
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) db/*.db db/*.db-* .pytest_cache .mypy_cache .ruff_cache
