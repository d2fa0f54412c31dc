# The two commands of the README: `make demo` and `make test`.
# Everything else here is what they need on a machine with only Python 3.11 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_ENV := DEBUG=1
TEST_ENV := SECURE_SSL_REDIRECT=0 SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production-use-0123456789}

.PHONY: demo test install serve messages bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(DEMO_ENV) $(BIN)/postqc migrate --noinput
	$(DEMO_ENV) $(BIN)/postqc load_demo
	$(DEMO_ENV) $(BIN)/postqc runserver 127.0.0.1:8000

serve: $(STAMP)
	$(DEMO_ENV) $(BIN)/postqc runserver 127.0.0.1:8000

test: $(STAMP)
	$(TEST_ENV) $(BIN)/pytest

# Regenerate the English catalogue (needs GNU gettext); the compiled .mo is committed.
messages: $(STAMP)
	cd postqc && $(DEMO_ENV) ../$(BIN)/postqc makemessages -l en --no-obsolete && $(DEMO_ENV) ../$(BIN)/postqc compilemessages -l en

bench: $(STAMP)
	$(BIN)/python -m bench.trivial

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
