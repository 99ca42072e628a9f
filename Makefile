# The two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install messages migrate demo lint format check readers bench backup restore clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the pinned dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed messages
	@mkdir -p var

# Compile the committed message catalogues (Arabic, French) with Babel: pure Python,
# so a fresh machine needs no GNU gettext. The .mo files are build output, not committed.
messages: $(VENV)/.installed
	$(BIN)/pybabel compile --domain django --directory locale --statistics
	$(BIN)/pybabel compile --domain djangojs --directory locale --statistics

migrate: install
	$(PY) manage.py migrate --noinput

# The links in the notices the demo sends point where `make run` serves, unless SITE_URL
# says otherwise.
SERVED_AT = SITE_URL=$${SITE_URL:-http://$(HOST)}

demo: migrate
	$(SERVED_AT) $(PY) manage.py load_demo

run: demo
	@echo "Tansiq on http://$(HOST)/  (admin at http://$(HOST)/admin/)"
	$(SERVED_AT) $(PY) manage.py runserver $(HOST)

# The same checks run from .pre-commit-config.yaml before each commit.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

test: lint check readers
	$(BIN)/pytest $(PYTEST_ARGS)

# Independent readers of what the portal sends (ical.js, as Thunderbird and Nextcloud
# read calendars), installed from the lock file when Node is there; CI always has it.
readers:
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/js --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the tests that read calendars with ical.js will be skipped"; fi

bench: install
	$(PY) -m benchmarks
	$(PY) -m benchmarks.notices
	$(PY) -m benchmarks.search
	$(PY) -m benchmarks.load

# One archive of the database and the stored files (README, "Backups"); OUTPUT=path or
# folder, else VAR_DIR/backups/.
backup: install
	$(PY) manage.py backup $(if $(OUTPUT),--output "$(OUTPUT)")

# Into an empty instance only; it asks before it writes.
restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=path/to/tansiq-backup-….tar.gz"; exit 2; }
	@$(MAKE) --no-print-directory install
	$(PY) manage.py restore "$(BACKUP)"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
