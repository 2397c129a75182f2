# The two commands of the README: `make demo` and `make test`.
# Nothing is needed beforehand but Python 3.11.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo install dev-install migrate messages load-demo run test test-fast lint bench restore-drill clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

dev-install: $(VENV)/.dev-installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

# The compiled catalogues (.mo) are committed, so a fresh clone shows Chinese
# even without GNU gettext; with msgfmt present they are rebuilt here.
messages: install
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages --ignore=.venv -v0; \
	else echo "msgfmt not found: using the committed catalogues"; fi

load-demo: migrate
	$(BIN)/python manage.py load_demo

run: install
	@echo ""
	@echo "  Chunshu Union is running: http://$(HOST):$(PORT)/"
	@echo "  staff admin  http://$(HOST):$(PORT)/admin/      staff1 / chunshu2017"
	@echo "  chair portal http://$(HOST):$(PORT)/portal/     chair1 … chair7 / chunshu2017"
	@echo "  dashboard    http://$(HOST):$(PORT)/dashboard/  leader / chunshu2017"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

demo: migrate messages load-demo run

test: dev-install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The inner loop: everything but the tests marked slow (benchmark smoke runs,
# demo loads, browser tests, whole-site page walks). `make test` and CI run all.
test-fast: dev-install
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: dev-install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The backup drill (PostgreSQL): dump as the README's backup does, restore into
# a scratch database, compare rows and dashboard figures, print the times.
restore-drill: install
	$(BIN)/python manage.py restore_drill $(DRILL_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
