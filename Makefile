# tweetpulse — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup native native-test kafka kafka-stop postgres demo test test-unit test-faults lint bench bench-quick lab browser-deps emoji-font clean

help: ## show this list
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(STAMP) emoji-font ## create .venv with the pinned requirements and tweetpulse installed (editable)

NATIVE_SOURCES := native/Cargo.toml native/Cargo.lock native/pyproject.toml $(wildcard native/src/*.rs)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml $(NATIVE_SOURCES)
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found: install Python 3.11+"; exit 1; }
	@[ -x $(BIN)/python ] || { echo "setup 1/4: creating the virtualenv $(VENV) (a few seconds)"; $(PYTHON) -m venv $(VENV); }
	@echo "setup 2/4: installing the pinned Python packages into $(VENV) (the first time 2-4 minutes, mostly"
	@echo "           Jupyter, pandas, scikit-learn and Dash; pip lists each package as it goes)"
	@set -o pipefail; start=$$SECONDS; \
	  $(BIN)/python -m pip install --disable-pip-version-check -r requirements-dev.txt -c constraints.txt \
	  | { grep -v '^Requirement already satisfied' || true; } && \
	  echo "setup 2/4: Python packages ready ($$((SECONDS - start)) s)"
	@echo "setup 3/4: installing tweetpulse itself (editable: your edits apply without reinstalling)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	@$(MAKE) --no-print-directory native
	@touch $(STAMP)
	@echo "setup: done; make demo starts Kafka, a synthetic stream, the listener and the page"

# The compiled scoring core (native/, Rust + PyO3) is optional: without cargo, or when its build
# fails, setup says so in one line, removes any stale copy and goes on (the pure-Python scorer
# gives the same scores, slower).
native: ## (re)build the optional compiled scoring core into .venv (needs cargo)
	@[ -x $(BIN)/python ] || { echo "make: run make setup first"; exit 1; }
	@if ! command -v cargo >/dev/null; then \
	  $(BIN)/python -m pip uninstall -q -y tweetpulse-native 2>/dev/null; \
	  echo "make: cargo not found: scoring uses the pure-Python scorer (exact, slower); install Rust for the compiled core"; \
	else \
	  echo "setup 4/4: building the compiled scoring core with cargo (Rust; the first time 1-3 minutes,"; \
	  echo "           log in $(VENV)/native-build.log)"; \
	  start=$$SECONDS; \
	  if PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python -m pip install -q --no-build-isolation ./native \
	    >$(VENV)/native-build.log 2>&1; then \
	  echo "compiled scoring core built (tweetpulse_native, $$((SECONDS - start)) s)"; \
	else \
	  $(BIN)/python -m pip uninstall -q -y tweetpulse-native 2>/dev/null; \
	  echo "make: the compiled scoring core did not build (see $(VENV)/native-build.log): scoring uses the pure-Python scorer"; \
	fi; \
	fi

kafka: setup ## start the local Kafka broker (./kafka-setup.sh start)
	./kafka-setup.sh start

kafka-stop: ## stop the local Kafka broker
	./kafka-setup.sh stop

postgres: ## start a private PostgreSQL on 127.0.0.1 (scripts/postgres-setup.sh start); prints its URL last
	scripts/postgres-setup.sh start

demo: setup ## Kafka + sample streamer + listener + live page at http://127.0.0.1:8050 (Ctrl-C stops)
	$(BIN)/tweetpulse demo $(DEMO_ARGS)

# The page's tweets and badges use emoji: without a colour emoji font they show as boxes.
emoji-font: ## install an emoji font (Debian's fonts-noto-color-emoji) when the machine has none
	@if ! fc-list 2>/dev/null | grep -qi emoji && ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing fonts-noto-color-emoji (the page's emoji; about 10 MB, under a minute)"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-noto-color-emoji >/dev/null; } || \
	      echo "make: could not install fonts-noto-color-emoji: the page's emoji may show as boxes"; \
	  else \
	    echo "make: no emoji font found: install Noto Color Emoji, or the page's emoji show as boxes"; \
	  fi; \
	fi

browser-deps: ## install headless Chromium, ChromeDriver and an emoji font (Debian packages) when missing
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || \
	    ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then \
	  echo "installing chromium, chromium-driver and fonts-noto-color-emoji"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-color-emoji >/dev/null; \
	fi

test: setup browser-deps lint native-test ## lint, the compiled core's own tests, then every tier: unit, integration (real broker), notebook, browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

native-test: setup ## cargo test: the compiled scoring core's Rust tests (against this .venv's Python)
	@if ! command -v cargo >/dev/null; then \
	  echo "make: cargo not found: the compiled core's Rust tests are skipped (the Python tests cover both engines)"; \
	else \
	  cd native && PATH="$(abspath $(BIN)):$$PATH" PYO3_PYTHON="$(abspath $(BIN))/python" cargo test --quiet; \
	fi

test-unit: setup ## only the unit tests (no broker, no browser)
	$(BIN)/python -m pytest -m unit $(PYTEST_ARGS)

test-faults: setup ## the fault tier at full counts (50k-tweet crash recovery, 20 s outage; about 4 minutes)
	TWEETPULSE_FAULT_SCALE=full $(BIN)/python -m pytest -m fault $(PYTEST_ARGS)

lint: setup ## ruff (check and format --check), mypy, and the import layers (lint-imports, pyproject.toml)
	$(BIN)/ruff check tweetpulse tests benchmarks scripts
	$(BIN)/ruff format --check tweetpulse tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup ## benchmarks against a real broker; writes benchmarks/results.json
	$(BIN)/python -m benchmarks

bench-quick: setup ## the benchmarks on small inputs (under 2 minutes)
	$(BIN)/python -m benchmarks --quick

# as root (containers, cloud notebooks) Jupyter refuses to start without --allow-root: add it there
LAB_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_ARGS ?=

lab: setup ## JupyterLab on this folder; as root adds --allow-root; LAB_ARGS="--port 8889 --no-browser"
	@[ -z "$(LAB_ROOT)" ] || echo "make lab: running as root, so Jupyter gets --allow-root"
	exec $(BIN)/jupyter lab --ip 127.0.0.1 --notebook-dir . $(LAB_ROOT) $(LAB_ARGS)

clean: ## stop Kafka and remove .venv, .kafka, data and caches
	-./kafka-setup.sh stop
	rm -rf $(VENV) .kafka data artifacts native/target .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
