# huikuan — every command a developer or CI needs. `make run` and `make test` work on a fresh machine
# with only Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: install system-packages run test test-services bench lint format migrate demo messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

# What the browser tests and the PDFs need from the system, installed with apt-get where missing (as root):
# Chromium (the browser tests drive /usr/bin/chromium) and a CJK font (Chinese in PDFs and screenshots).
# Without them those tests are skipped, each saying why.
system-packages:
	@need=""; \
	command -v chromium >/dev/null 2>&1 || need="$$need chromium"; \
	fc-list 2>/dev/null | grep -qi "noto sans cjk\|wenquanyi\|noto serif cjk" || need="$$need fonts-noto-cjk"; \
	if [ -z "$$need" ]; then echo "system packages: all there"; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "system packages: installing$$need"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null) \
	    || echo "system packages: could not install$$need; the tests that need them will say so"; \
	else echo "system packages: no apt-get here; install$$need yourself (the tests that need them say so)"; fi

migrate: install
	$(BIN)/huikuan migrate --noinput

demo: migrate
	$(BIN)/huikuan seed_demo --if-empty

# Web app on http://127.0.0.1:$(PORT) plus the Celery worker and beat (no extra server needed).
run: demo
	$(BIN)/huikuan serve --port $(PORT)

# The whole suite on the embedded SQLite database (PostgreSQL when DATABASE_URL says so).
test: install
	$(BIN)/pytest -q -n 2 -p no:cacheprovider $(PYTEST_ARGS)

# The suite against PostgreSQL and Redis (what .ci/run does after `make test`).
test-services: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/huikuan} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	HUIKUAN_REQUIRE_SERVICES=1 \
	$(BIN)/pytest -q -n 2 -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check huikuan bench conftest.py
	$(BIN)/mypy huikuan

format: install
	$(BIN)/ruff check --fix huikuan bench conftest.py

messages: install
	cd huikuan && ../$(BIN)/huikuan makemessages -l zh_Hans -l en -l zh_Hant --no-obsolete && ../$(BIN)/huikuan compilemessages

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache
