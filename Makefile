# Build and test the book "Adam, 모멘텀".
#
#   make venv       create .venv from requirements.txt and install adamlib (editable)
#   make book       build the HTML book, failing on any warning; prints the path of index.html
#   make lint       ruff check + ruff format --check
#   make unit       unit tests (tests/)
#   make nbval      re-execute every chapter notebook and compare with the committed outputs
#   make notebooks  re-execute chapter notebooks in place and save them (all of them, or
#                   NB="chapters/01_first_moment.ipynb ..."); run before committing a notebook
#   make pdf        the PDF edition (after `make book`): the site printed by Chromium to one A4
#                   book, _build/pdf/adam-momentum.pdf, copied to the site's downloads/; then its
#                   tests (tests/pdf/: titles, no raw TeX, embedded fonts, pages, contents)
#   make site       test the built site (after `make book` and `make pdf`): offline assets, links, downloads,
#                   Korean search index, and pages in headless Chromium (screenshots in
#                   _build/screenshots/); without Chromium the browser tests are skipped, saying so
#   make lab        JupyterLab on chapters/ (pinned, with jupyterlab-myst; --allow-root only as root;
#                   LAB_ARGS="--no-browser --port 8899" passes options, LAB_DIR another folder)
#   make home       what a reader does at home: the site's downloads installed in a fresh venv
#                   outside the repository and every chapter run; JupyterLab driven in Chromium
#   make test       venv, lint, unit, nbval, book, pdf, site, home, with a timing line per stage
#   make vendor-mathjax  re-vendor MathJax into _static/mathjax/ from the npm registry (needs npm)
#   make vendor-axe      re-vendor axe-core into tests/browser/vendor/axe-core/ from the npm registry
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

.PHONY: venv book lint unit nbval notebooks lab lab-install home pdf site test vendor-mathjax vendor-axe clean distclean

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
	MPLBACKEND=Agg $(BIN)/pytest tests -q --ignore=tests/browser --ignore=tests/home --ignore=tests/pdf

nbval: $(STAMP)
	env -u MPLBACKEND $(BIN)/pytest $(NBVAL_FLAGS) chapters/

notebooks: $(STAMP)
	env -u MPLBACKEND $(BIN)/python tools/execute_notebooks.py $(NB)

# JupyterLab for reading and running the chapters locally: requirements-lab.txt (pinned JupyterLab,
# jupyterlab-myst so that the book's MyST markup renders, and what they pull in) on top of .venv,
# installed on first use. The chapters are trusted first, so their stored interactive outputs
# (chapter 5's animation) work on open. As root (Docker, cloud notebooks) JupyterLab refuses to
# start without --allow-root, so it is added then, and only then. LAB_DIR picks the folder and
# LAB_ARGS passes options, e.g. make lab LAB_ARGS="--no-browser --port 8899".
LAB_STAMP := $(VENV)/.lab-installed
LAB_DIR   ?= chapters
LAB_ARGS  ?=
LAB_ROOT  := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

$(LAB_STAMP): $(STAMP) requirements-lab.txt
	$(BIN)/python -m pip install -r requirements-lab.txt
	touch $@

lab-install: $(LAB_STAMP)

lab: $(LAB_STAMP)
	$(BIN)/jupyter trust $(LAB_DIR)/*.ipynb
	env -u MPLBACKEND $(BIN)/jupyter lab $(LAB_ROOT) $(LAB_ARGS) $(LAB_DIR)

# What a reader does at home (tests/home/): the site's wheel and notebook zip built from a clean
# clone, installed by the site's commands into a fresh venv outside the repository, every chapter
# executed (test_fresh_install.py); and JupyterLab started by `make lab`, driven in headless
# Chromium (test_jupyterlab.py, skipped without Chromium, saying so).
home: $(LAB_STAMP)
	env -u MPLBACKEND CHROMIUM="$(CHROMIUM)" $(BIN)/pytest tests/home -q -rs -s

# Tests of the built site (tests/browser/). Chromium is Debian's (`apt-get install chromium`;
# .ci/run installs it), driven by Playwright's Python package: nothing downloads a browser.
# Without it the browser tests skip and this says so; REQUIRE_BROWSER=1 makes that a failure.
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || true)

# The PDF edition (_ext/print_edition.py): the built site's pages joined in the order of _toc.yml,
# printed by the same Chromium as the browser tests, page numbers read back with poppler's
# pdfinfo (apt-get install poppler-utils; .ci/run installs both). A layout problem (a formula
# or table that cannot be made to fit the page, a visible control) fails the build.
pdf: $(STAMP)
	@for tool in pdfinfo pdftotext pdffonts; do command -v $$tool >/dev/null || { \
	  echo "make pdf: $$tool not found (apt-get install poppler-utils)"; exit 1; }; done
	CHROMIUM="$(CHROMIUM)" $(BIN)/python _ext/print_edition.py
	CHROMIUM="$(CHROMIUM)" BOOK_PDF_REQUIRED=1 $(BIN)/pytest tests/pdf -q -rs

site: $(STAMP)
	@if [ -z "$(CHROMIUM)" ] || [ ! -x "$(CHROMIUM)" ]; then \
	  echo "*** make site: Chromium not found, so the BROWSER TESTS ARE SKIPPED (the checks of"; \
	  echo "*** the built files still run). Install it with: apt-get install chromium"; \
	else \
	  "$(CHROMIUM)" --version 2>/dev/null || true; \
	fi
	CHROMIUM="$(CHROMIUM)" BOOK_SITE_REQUIRED=1 $(BIN)/pytest tests/browser -q -rs
	@if [ -d _build/screenshots ]; then echo "screenshots: $(CURDIR)/_build/screenshots/"; fi

# Stages run one after another (also under make -j), each with a timing line. A failing stage
# does not hide the others: all run, the failures are listed, and `make test` fails at the end.
TEST_STAGES := lint unit nbval book pdf site home

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
	if [ -z "$(CHROMIUM)" ] || [ ! -x "$(CHROMIUM)" ]; then \
	  echo "******************************************************************************"; \
	  echo "make test: the other stages passed, but the BROWSER TESTS WERE SKIPPED (no"; \
	  echo "Chromium): how the pages look was NOT checked. apt-get install chromium, re-run."; \
	  echo "******************************************************************************"; \
	else \
	  echo "make test: all stages passed"; \
	fi

# MathJax 3, vendored so the site typesets formulas with no network: the npm registry's
# `mathjax` package at an exact version, checked against its published integrity. Only the
# component the site loads (tex-chtml-full.js: TeX input with every extension, CommonHTML
# output), its web fonts and the licence are kept (about 1.7 MB of the package's 24 MB).
MATHJAX_VERSION   := 3.2.2
MATHJAX_INTEGRITY := sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==
MATHJAX_DIR       := _static/mathjax

vendor-mathjax:
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	(cd "$$tmp" && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null); \
	tgz="$$tmp/mathjax-$(MATHJAX_VERSION).tgz"; \
	got="sha512-$$(openssl dgst -sha512 -binary "$$tgz" | base64 -w0)"; \
	if [ "$$got" != "$(MATHJAX_INTEGRITY)" ]; then echo "integrity mismatch: $$got"; exit 1; fi; \
	tar -xzf "$$tgz" -C "$$tmp"; \
	rm -rf $(MATHJAX_DIR); mkdir -p $(MATHJAX_DIR)/output/chtml/fonts; \
	cp "$$tmp/package/es5/tex-chtml-full.js" "$$tmp/package/LICENSE" $(MATHJAX_DIR)/; \
	cp -r "$$tmp/package/es5/output/chtml/fonts/woff-v2" $(MATHJAX_DIR)/output/chtml/fonts/; \
	printf '%s\n' \
	  "MathJax $(MATHJAX_VERSION) (Apache License 2.0, see LICENSE), vendored by \`make vendor-mathjax\`" \
	  "from the npm registry's mathjax package, integrity $(MATHJAX_INTEGRITY)." \
	  "Kept: es5/tex-chtml-full.js and es5/output/chtml/fonts/woff-v2/ (nothing else is loaded)." \
	  > $(MATHJAX_DIR)/VENDORED.txt; \
	du -sh $(MATHJAX_DIR)

# axe-core, for the accessibility tests only (test_accessibility.py injects it into each page; the
# site never ships it): the npm registry's tarball at the version and integrity pinned in
# tools/vendor_axe.py, verified, then only axe.min.js and LICENSE (MPL-2.0) kept, with VENDORED.txt.
vendor-axe:
	$(PYTHON) tools/vendor_axe.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis .jupyter_cache
	find . -path ./$(VENV) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) \
	  -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
