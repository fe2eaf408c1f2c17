# Värn – two commands do everything: `make run` and `make test`.
# DATABASE_URL=postgresql://… switches both to PostgreSQL (SQLite is the default).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install system-deps browser-deps translations messages serve clean

run: install system-deps
	VARN_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	VARN_DEBUG=1 $(BIN)/python manage.py createcachetable
	VARN_DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "Värn körs på http://$(HOST):$(PORT)/  (avsluta med Ctrl+C)"
	VARN_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install system-deps browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed translations

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Värn behöver Python 3.11 eller senare.")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

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

serve: install
	$(BIN)/gunicorn varn.wsgi --bind $(HOST):$(PORT)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 var
