# 星级评定 — set-up, run and test. `make run` and `make test` are all a fresh
# Debian machine with Python 3.11 needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run DEBUG=1` (or DJANGO_DEBUG=1 in the environment) turns on Django's debug pages,
# for developers; without it the server shows our own error pages, as in production.
DEBUG :=
# A random secret key, made on the first run and kept (git-ignored), for every command here.
export DJANGO_SECRET_KEY_FILE ?= $(CURDIR)/.secret-key

.PHONY: run test setup system lint check bench messages locale-compiled
.DEFAULT_GOAL := run

setup: system $(VENV)/.installed node_modules/.installed $(DJANGO_SECRET_KEY_FILE) locale-compiled

system:
	@PYTHON=$(PYTHON) scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock ".[test]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DJANGO_SECRET_KEY_FILE):
	@umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@.tmp
	@mv $@.tmp $@ && echo "A new random secret key is in $@ (kept for the next runs)."

locale-compiled: $(VENV)/.installed $(DJANGO_SECRET_KEY_FILE)
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

run: setup
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo --if-empty
	@DJANGO_DEBUG=$(or $(DEBUG),$(DJANGO_DEBUG),0) scripts/serve.sh $(HOST) $(PORT)

test: setup
	$(BIN)/pytest -n 2 -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: setup
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

bench: setup
	$(BIN)/python bench/bench_rate.py

messages: setup
	$(MANAGE) makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=bench
