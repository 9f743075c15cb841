# The course's commands. `make help` lists them.
#   make lab    set up .venv and open JupyterLab (LAB_ARGS=--no-browser to start without a browser)
#   make test   set up, then lint, build the course site, unit tests (browser tests included), every notebook by nbval
#   make bench  execute every notebook in a fresh kernel; time, peak memory and key results
#   make data   fetch and prepare the cached datasets (before going offline)
#   make site   the course site in build/site/ (index.html): every lesson with outputs, from make bench's runs
#   make grade  grade homework: make grade LESSON=04 SUBMISSIONS=folder/ [CSV=grades.csv]

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LAB_ARGS ?=
# One stamp per content of requirements.txt: a change of requirements re-installs,
# a second run with the same requirements installs nothing.
REQUIREMENTS_HASH := $(shell $(PYTHON) -c "import hashlib; print(hashlib.sha256(open('requirements.txt', 'rb').read()).hexdigest()[:16])")
STAMP := $(VENV)/.installed-$(REQUIREMENTS_HASH)
NOTEBOOKS := notebooks solutions
export PYTHONHASHSEED := 0

.PHONY: help install lab test lint unit notebooks bench data site grade clean

help:
	@sed -n 's/^#   //p' Makefile

install: $(STAMP)

# TensorFlow 2.21 publishes wheels for CPython 3.10 to 3.13 only: say so before pip fails obscurely.
PYTHON_OK := $(shell $(PYTHON) -c "import sys; print(int((3, 10) <= sys.version_info[:2] <= (3, 13)))" 2>/dev/null)

$(STAMP): requirements.txt
	@if [ "$(PYTHON_OK)" != "1" ]; then \
	  echo "make: the course needs Python 3.10, 3.11, 3.12 or 3.13 (TensorFlow 2.21 has no wheels for others);"; \
	  echo "      '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing). Run e.g. 'make PYTHON=python3.11 ...'."; \
	  exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# A class is not greeted by "get notified about official Jupyter news?" (nor update checks).
	$(BIN)/jupyter labextension disable --level=sys_prefix "@jupyterlab/apputils-extension:announcements" >/dev/null 2>&1
	@rm -f $(VENV)/.installed-*
	@touch $@

data: install
	$(BIN)/python -m utils.data

lab: install data
	$(BIN)/jupyter lab $(LAB_ARGS)

lint: install
	$(BIN)/ruff check utils tests $(NOTEBOOKS)
	$(BIN)/ruff format --check utils tests $(NOTEBOOKS)

unit: install data
	$(BIN)/python -m pytest tests

notebooks: install data
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider $(NOTEBOOKS)

# The site first: the unit tests open it in a browser (they skip, saying so, where Chromium is missing).
test: lint site unit notebooks

bench: install data
	$(BIN)/python -m utils.bench $(NOTEBOOKS)

# Renders build/executed/ (kept by make bench); executes first any lesson whose copy is missing or stale.
site: install data
	$(BIN)/python -m utils.site

LESSON ?=
SUBMISSIONS ?=
CSV ?= build/grades-$(LESSON).csv
grade: install data
	@if [ -z "$(LESSON)" ] || [ -z "$(SUBMISSIONS)" ]; then \
	  echo "usage: make grade LESSON=04 SUBMISSIONS=path/to/submissions/ [CSV=grades.csv]"; exit 2; fi
	@mkdir -p "$(dir $(CSV))"
	$(BIN)/python -m utils.grade --lesson $(LESSON) --csv "$(CSV)" $(SUBMISSIONS)

clean:
	rm -rf build .pytest_cache .ruff_cache
