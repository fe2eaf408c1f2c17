# Värn – two commands do everything: `make run` and `make test`.
# DATABASE_URL=postgresql://… switches both to PostgreSQL (SQLite is the default).
# `make run`/`make serve` install only the production lock (requirements.lock);
# `make test` and `make lint` add the test tools (requirements-test.lock).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run PORT=8001` serves on another port; links in the e-mails it sends
# point at that server unless VARN_BASE_URL is set.
VARN_BASE_URL ?= http://$(HOST):$(PORT)
PYTEST_ARGS ?=
UV ?= uv
LOCK_UPGRADE ?=
LOCK_OPTS := --generate-hashes --universal --python-version 3.11 --custom-compile-command 'make lock' $(LOCK_UPGRADE)

.PHONY: run test lint install install-test lock system-deps browser-deps translations messages serve clean

run: install system-deps
	VARN_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	VARN_DEBUG=1 $(BIN)/python manage.py createcachetable
	VARN_DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "Värn körs på http://$(HOST):$(PORT)/  (avsluta med Ctrl+C)"
	VARN_DEBUG=1 VARN_BASE_URL='$(VARN_BASE_URL)' $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: lint install-test system-deps browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

# Production dependencies only: no test tools in a `make run`/`make serve` venv.
# The locks hold every package, so pip installs them as listed (--no-deps) and
# `pip check` proves nothing is missing: pip 23's resolver otherwise asks for a
# newer release of a locked package that another one requires with an extra
# (weasyprint's fonttools[woff]) and refuses it under --require-hashes.
install: $(VENV)/.installed translations

# Production plus test dependencies; either lock changing reinstalls.
install-test: install $(VENV)/.installed-test

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Värn behöver Python 3.11 eller senare.")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip check --disable-pip-version-check
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock -r requirements-test.lock
	$(BIN)/python -m pip check --disable-pip-version-check
	touch $@

# Regenerate both locks from pyproject.toml with uv (`pip install uv` anywhere
# outside the repo; UV=/path/to/uv). Pinned versions are kept unless a bound
# in pyproject.toml forces a change; `make lock LOCK_UPGRADE=--upgrade` upgrades.
# The test lock holds only what production does not, at the production pins.
lock:
	$(UV) pip compile pyproject.toml $(LOCK_OPTS) -o requirements.lock
	$(UV) pip compile pyproject.toml --extra test -c requirements.lock $(LOCK_OPTS) \
		$$(sed -n 's/^\([a-z0-9_.-]*\)==.*/--no-emit-package \1/p' requirements.lock) \
		-o requirements-test.lock

# Gettext catalogues are compiled with Babel, so no system gettext is needed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --domain django --directory varn/locale --use-fuzzy --statistics 2>&1 | grep -v '^$$' || true
	@test -f varn/locale/en/LC_MESSAGES/django.mo

# Refresh the English catalogue after changing user-facing text (needs GNU gettext).
messages:
	$(BIN)/python manage.py makemessages --locale en --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete

# System libraries: Pango for PDF rendering (WeasyPrint). Installed with apt
# when missing and we are root; otherwise a message says how.
system-deps:
	@bash scripts/system-deps.sh pdf

browser-deps:
	@bash scripts/system-deps.sh browser

# Production serving: gunicorn with the repository's gunicorn.conf.py (workers
# from the core count, timeouts, graceful restarts, an access log without
# addresses or query strings). Needs VARN_SECRET_KEY and collectstatic (README).
serve: install
	$(BIN)/gunicorn -c gunicorn.conf.py varn.wsgi --bind $(HOST):$(PORT)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 var
