# Two commands on a fresh Debian machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BROWSER_STAMP := $(VENV)/.browser-stamp
POSTGRES_STAMP := $(VENV)/.postgres-stamp

.PHONY: setup demo test lint bench bench-workers serve clean

setup: $(STAMP) $(BROWSER_STAMP) $(POSTGRES_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Playwright's own Chromium first; where it cannot be downloaded, Debian's chromium.
# At run time the browser is found by itself (see README, "The browser").
$(BROWSER_STAMP): $(STAMP)
	$(BIN)/playwright install chromium 2>/dev/null \
	  || command -v chromium >/dev/null \
	  || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	       $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
	touch $@

# Debian's PostgreSQL server binaries, for the tests of shared (several machines) runs:
# the tests start a throw-away cluster of their own, nothing is configured here.
$(POSTGRES_STAMP): $(STAMP)
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	       $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; }
	touch $@

demo: setup
	$(BIN)/portalpilot demo

# Two pytest workers (pytest-xdist): on this 2-core machine vmstat shows both cores ~97% busy
# through a run with -n 2 (Chromium, its driver, the mock portals), so more workers were not
# expected to help (-n 3 not measured). The suite took 10 min with -n 2 (2026-12-02).
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench.refund_speed

# One plain batch on SQLite against 1, 2 and 4 queue workers on a throw-away PostgreSQL.
bench-workers: setup
	$(BIN)/python -m bench.workers_speed

serve: setup
	$(BIN)/portalpilot mock serve

clean:
	rm -rf $(VENV) .portalpilot .pytest_cache .ruff_cache .mypy_cache
