# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_STAMP := $(VENV)/.installed-dev

.PHONY: run test pg bench screenshot lint clean

# The first `make run` downloads about 250 MB (PySide6 is most of it): say so, show what pip fetches,
# and say how long it took, instead of a silent two-minute pause.
$(BIN)/python:
	@echo "make: creating a virtual environment in $(VENV) (once)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	@echo "make: installing annotator with PySide6 (Qt, ~250 MB), SQLAlchemy, platformdirs, krippendorff"
	@echo "make: and the test tools (pytest, pytest-qt, pandas) into $(VENV); the first time takes 1-3 minutes"
	@start=$$(date +%s); \
	$(BIN)/python -m pip install --progress-bar off -e '.[test]' | grep --line-buffered -E '^(Collecting|Successfully installed)' ; \
	status=$${PIPESTATUS[0]}; \
	echo "make: pip finished in $$(( $$(date +%s) - start )) s"; \
	exit $$status
	touch $(STAMP)

$(LINT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(LINT_STAMP)

run: $(STAMP)
	$(BIN)/annotator

# The suite runs in TEST_WORKERS processes (pytest-xdist; `make test TEST_WORKERS=0` runs it in one).
# Most of it is one busy CPU per test (Qt, SQLite, the server's client), so two workers on two cores
# take about half the wall time; each worker has its own temp folder and server databases. Tests
# marked xdist_group (the wheel's two, which share one build) run in one worker.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup

# Every test marked postgresql (the server half of the both-back-ends tests, team mode), against a
# throwaway PostgreSQL cluster (Debian's
# postgresql package; as root the server runs as the postgres user), stopped whatever happens.
pg: $(STAMP)
	@dir=$$(mktemp -d /tmp/annotator-pg.XXXXXX); \
	trap 'scripts/pg_cluster.sh stop "$$dir"' EXIT; \
	url=$$(scripts/pg_cluster.sh start "$$dir") || exit 1; \
	echo "PostgreSQL test server: $$url"; \
	ANNOTATOR_TEST_PG_URL="$$url" QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m postgresql

bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py

screenshot: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshot.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshot.py --size 1366x768 --out docs/screenshot-1366x768.png
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshot.py --size 1920x1080 --out docs/screenshot-1920x1080.png

# ruff, mypy and import-linter come with the `dev` extra.
lint: $(LINT_STAMP)
	$(BIN)/ruff check annotator tests scripts
	$(BIN)/ruff format --check annotator tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
