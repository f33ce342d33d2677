# Build and test the book "Adam, 모멘텀".
#
#   make venv       create .venv from requirements.txt and install adamlib (editable)
#   make book       build the HTML book, failing on any warning; prints the path of index.html
#   make lint       ruff check + ruff format --check
#   make unit       unit tests (tests/)
#   make nbval      re-execute every chapter notebook and compare with the committed outputs
#   make notebooks  re-execute chapter notebooks in place and save them (all of them, or
#                   NB="chapters/01_first_moment.ipynb ..."); run before committing a notebook
#   make test       venv, lint, unit, nbval, book, with a timing line per stage
#   make clean      remove build and test artefacts (keeps .venv); `make distclean` also .venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

SHELL       := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

# debugpy (pulled in by ipykernel) may warn about frozen modules on stderr, which nbval compares.
# The kernelspec of the venv is preferred over any user-level one.
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export JUPYTER_PREFER_ENV_PATH := 1
export JUPYTER_PLATFORM_DIRS := 1

# -W: warnings are errors; -n: nitpicky (every cross-reference must resolve); --keep-going: report
# all warnings before failing; --all: re-read every page so no warning hides in a stale cache.
JB_FLAGS := --builder html --all -W -n --keep-going

NBVAL_FLAGS := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -q -p no:cacheprovider \
	--ignore-glob='*/.ipynb_checkpoints/*' --ignore-glob='*/_build/*'

# Notebooks to re-execute with `make notebooks` (default: all chapters).
NB ?=

.PHONY: venv book lint unit nbval notebooks test clean distclean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install -e .
	# nbval starts the kernel named python3: point it at this venv's interpreter, absolutely.
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (.venv)"
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "$(CURDIR)/_build/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Unit tests draw off-screen (Agg). Notebooks (nbval, `make notebooks`) must NOT see MPLBACKEND:
# an IPython kernel honours it instead of its inline backend, so figures vanish from the outputs
# and nbval disagrees with the committed notebooks. Hence `env -u MPLBACKEND`.
unit: $(STAMP)
	MPLBACKEND=Agg $(BIN)/pytest tests -q

nbval: $(STAMP)
	env -u MPLBACKEND $(BIN)/pytest $(NBVAL_FLAGS) chapters/

notebooks: $(STAMP)
	env -u MPLBACKEND $(BIN)/python tools/execute_notebooks.py $(NB)

# Stages run one after another (also under make -j), each with a timing line. A failing stage
# does not hide the others: all run, the failures are listed, and `make test` fails at the end.
TEST_STAGES := lint unit nbval book

test:
	@t0=$$(date +%s); $(MAKE) --no-print-directory venv; \
	echo "<== venv: $$(( $$(date +%s) - t0 )) s"; \
	failed=""; \
	for stage in $(TEST_STAGES); do \
	  t0=$$(date +%s); echo "==> $$stage"; \
	  if $(MAKE) --no-print-directory $$stage; then result=ok; else result=FAILED; failed="$$failed $$stage"; fi; \
	  echo "<== $$stage: $$result, $$(( $$(date +%s) - t0 )) s"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: all stages passed"

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis .jupyter_cache
	find . -path ./$(VENV) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) \
	  -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
