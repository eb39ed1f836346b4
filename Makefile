# Everything runs from a virtual environment inside the repository.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SITE_STAMP := $(VENV)/.installed-site
# No bytecode at install time: Python writes it for the modules a run imports, which is a
# small part of what the dependencies ship.
PIP := $(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check

.PHONY: install install-site site serve test lint update-golden bench clean chromium

# What `make site` and `make serve` need: learnloop and what it runs on, nothing else.
install-site: $(SITE_STAMP)

# Everything, with the test and lint tools (pytest, Playwright, mypy …): `make test`, `make lint`.
install: $(STAMP)

# Re-install only when the project's metadata changed; the package itself is editable.
$(SITE_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $(SITE_STAMP)

$(STAMP): $(SITE_STAMP)
	$(PIP) -e '.[test]'
	touch $(STAMP)

site: install-site
	$(BIN)/learnloop build

serve: install-site
	$(BIN)/learnloop serve

# The tests run learnloop in subprocesses: each would compile its dependencies again where
# the environment asks Python to write no bytecode, so here it writes it. Tests share no
# state, so they run on the cores this process may use (`nproc`), at most four: a machine
# that reports many more cores than its memory can serve workers stays within it.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ "$$n" -gt 4 ] && n=4; echo $$n)

test: install chromium
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

# The browser tests drive Debian's Chromium (never a downloaded one); they skip without it.
chromium:
	@command -v chromium >/dev/null || (command -v apt-get >/dev/null && apt-get update -qq && \
		apt-get install -y -qq chromium) || echo "chromium not installed: browser tests will skip"

lint: install
	$(BIN)/ruff check generator tests benchmarks
	$(BIN)/ruff format --check generator tests benchmarks
	$(BIN)/mypy

update-golden: install
	$(BIN)/python -m pytest -q --update-golden

bench: install
	$(BIN)/python -m benchmarks.quality
	$(BIN)/python -m benchmarks.speed

clean:
	rm -rf site .venv .pytest_cache .ruff_cache .mypy_cache
