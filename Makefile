# caseclean: `make run` cleans the sample archive, `make test` runs the checks.
# Both bootstrap their own virtual environment in .venv on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Debian packages: the dictionaries for every run; the hunspell program (a benchmark peer) and
# chromium (browser tests) for the checks.
RUN_PACKAGES := hunspell-en-us hunspell-en-med hunspell-en-gb
TEST_PACKAGES := $(RUN_PACKAGES) hunspell chromium
PACKAGES ?= $(TEST_PACKAGES)
RAW_DIR ?= data/raw
OUT_DIR ?= data/clean

.PHONY: run test lint setup-system screenshots bench clean

run: $(STAMP)
	@$(MAKE) --no-print-directory setup-system PACKAGES="$(RUN_PACKAGES)"
	$(BIN)/caseclean run $(RAW_DIR) --out $(OUT_DIR)

test: $(DEV_STAMP)
	@$(MAKE) --no-print-directory setup-system PACKAGES="$(TEST_PACKAGES)"
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench
	@$(BIN)/python -m pytest -q -p no:cacheprovider; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

lint: $(DEV_STAMP)
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/ruff format --check pipeline tests bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

# The test and benchmark tools (pytest, ruff, frictionless, datasette, playwright, peers).
$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,peers]'
	touch $(DEV_STAMP)

# Installs the Debian packages in PACKAGES with apt-get when run as root; otherwise prints the
# exact command and goes on (without the dictionaries the lexicon warns and corrects less).
setup-system:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "caseclean needs Debian packages:$$missing"; \
	  echo "  run: sudo apt-get install -y$$missing"; \
	fi

# Retake the README's screenshots of the review page and the report from a real run.
screenshots: $(DEV_STAMP) setup-system
	CASECLEAN_SCREENSHOTS=docs $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_browser.py

bench: $(DEV_STAMP) setup-system
	$(BIN)/python -m bench.peers
	$(BIN)/python -m bench.speed
	$(BIN)/python -m bench.scale

# Removes what runs generated; reviewers' decisions (data/clean/decisions.jsonl) stay.
clean:
	@if [ -x $(BIN)/caseclean ]; then $(BIN)/caseclean clean --out $(OUT_DIR); fi
	rm -rf .pytest_cache .ruff_cache
