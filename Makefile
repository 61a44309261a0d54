# Two commands set up a machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install install-test translations messages lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

## Compile the translation catalogues (part of every install; .mo files are not committed).
translations: $(BIN)/python
	@for dir in $$(find checkin -type d -name translations); do \
	  $(BIN)/pybabel -q compile -d $$dir || exit 1; done

## Extract new strings into each domain's catalogue and merge them into es/ (for developers).
## checkin/catalogues.py says which files each domain owns and which calls mark a string
## (gettext, ngettext, pgettext, npgettext and their lazy forms, in Python and in templates).
messages: $(VENV)/.installed
	$(BIN)/python -m checkin.catalogues $(DOMAINS)

# Links and QR codes point at where we serve, unless CHECKIN_BASE_URL says otherwise.
run: export CHECKIN_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/checkin db upgrade
	$(BIN)/checkin demo --if-empty
	@echo "Emails are delivered by a sender running beside the server (to $${CHECKIN_MAIL_URL:-instance/outbox/})."
	@$(BIN)/checkin mail send --follow & sender=$$!; \
	  trap 'kill $$sender 2>/dev/null; wait $$sender' EXIT INT TERM; \
	  $(BIN)/checkin run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

bench: install-test
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
