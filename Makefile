# The platform's two commands: `make run` (everything, with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/distribution
export REDIS_URL ?= redis://127.0.0.1:6379/0
PORT ?= 8000

.PHONY: run test venv services db chromium lint messages check-deploy bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

services:
	@bash .ci/ensure_services.sh

db: venv services
	$(PY) manage.py createdb
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv -v 0

run: db
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (web + Celery worker + Celery beat; Ctrl-C stops all)"
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: venv services chromium
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

messages: venv
	$(PY) manage.py makemessages -l zh_Hant -l zh_Hans -l en --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

check-deploy: venv
	DJANGO_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=example.com $(PY) manage.py check --deploy --fail-level WARNING

bench: venv services
	$(VENV)/bin/pytest benchmarks -p no:randomly --benchmark-only 2>/dev/null || $(VENV)/bin/python -m benchmarks
