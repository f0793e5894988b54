# The platform's two commands: `make run` (everything, with demo data) and `make test`.
# Both work on a fresh Debian machine: they create .venv, install requirements.txt, install
# Debian's gettext (msgfmt) and chromium with apt-get when missing, and make sure PostgreSQL
# and Redis answer (.ci/ensure_services.sh). DATABASE_URL / REDIS_URL override the defaults.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/distribution
export REDIS_URL ?= redis://127.0.0.1:6379/0
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: run test venv services db gettext chromium pgbouncer messages lint check-deploy bench

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

services:
	@bash .ci/ensure_services.sh

gettext:
	@command -v msgfmt >/dev/null || { echo "Installing Debian's gettext (msgfmt) to compile translations"; \
		$(SUDO) apt-get update -qq && $(APT_INSTALL) gettext >/dev/null; }

chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for browser tests"; \
		$(SUDO) apt-get update -qq && $(APT_INSTALL) chromium >/dev/null; }
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { echo "Installing Debian's Noto CJK fonts so browser screenshots render Chinese"; \
		$(SUDO) apt-get update -qq && $(APT_INSTALL) fonts-noto-cjk >/dev/null; }

# The scale-out tests (tests/ops/test_scale_out.py) start a private pgbouncer in front of a private
# PostgreSQL cluster; Debian's package provides the binary (its own service is not used).
pgbouncer:
	@test -x /usr/sbin/pgbouncer || command -v pgbouncer >/dev/null || { echo "Installing Debian's pgbouncer for the connection-pooler tests"; \
		$(SUDO) apt-get update -qq && $(APT_INSTALL) pgbouncer >/dev/null; }

db: venv services gettext
	$(PY) manage.py createdb
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0

run: db
	$(PY) manage.py seed_demo
	@mkdir -p var
	@echo ""
	@echo "  Distribution platform: http://127.0.0.1:$(PORT)/   (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "  web + Celery workers (timers, webhooks, worker) + Celery beat are starting; Ctrl-C stops all."
	@echo ""
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

test: venv services gettext chromium pgbouncer
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v 0
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# ruff, the layers contract of pyproject.toml (import-linter), missing migrations. CI runs it before the tests.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run

# Refresh every catalog that exists (each app keeps its own locale/; project strings go to ./locale).
messages: venv gettext
	@for app in accounts suppliers resellers procurement settlement distribution/api compliance disputes aftersales reports distribution/ops; do \
		if [ -d $$app/locale ]; then (cd $$app && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l zh_Hant -l zh_Hans -l en --no-obsolete); fi; done
	$(PY) manage.py makemessages -l zh_Hant -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var --ignore=static \
		--ignore=tests --ignore=benchmarks --ignore=accounts --ignore=suppliers --ignore=resellers --ignore=procurement --ignore=settlement \
		--ignore=distribution/api --ignore=compliance --ignore=disputes --ignore=aftersales --ignore=reports --ignore=distribution/ops
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

# The deploy check, then collectstatic as production runs it (manifest storage: fails on any missing asset).
check-deploy: venv
	DJANGO_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=example.com \
		$(PY) manage.py check --deploy --fail-level WARNING
	d=$$(mktemp -d); DJANGO_ENV=production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=example.com STATIC_ROOT=$$d \
		$(PY) manage.py collectstatic --noinput -v 0; rc=$$?; rm -rf "$$d"; exit $$rc

# Speed benchmarks (not part of `make test`): drop, recreate and fill their own database (its
# name must contain "bench"), then print Markdown results; see benchmarks/README.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dist_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
bench: venv services
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m benchmarks $(BENCH_ARGS)
