# The two commands: `make run` (web + worker on the embedded default) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench bench-smoke

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m db upgrade
	$(BIN)/python -m db seed --demo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start

test: $(STAMP)
	bash scripts/ensure-services
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

# Each benchmark run small, checking what it prints and that it leaves no process or database
# behind (the tests marked `bench`, which make test leaves out).
bench-smoke: $(STAMP)
	bash scripts/ensure-services
	$(BIN)/pytest -m bench

# Benchmark scripts only: the modules they share (data, clients, figures) have no __main__.
bench: $(STAMP)
	bash scripts/ensure-services
	for script in $$(grep -l '__main__' bench/*.py); do $(BIN)/python $$script; done
