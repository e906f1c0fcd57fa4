# rnnlab: two commands do all the set-up.
#   make lab    create .venv, install rnnlab and JupyterLab into it, open the course
#   make test   create/update .venv, then lint and run the whole test suite
#   make book   build the Jupyter Book site into book/_build/html
#   make student  student versions (no solutions) in build/student, instructor in build/instructor
#   make grade SUBMISSIONS=DIR  grade a class's notebooks into build/grades (grades.csv, feedback/)
#   make browser  browser tests (chromium + Playwright); skipped, with a message, without chromium
#   make stats    how far each chapter follows book/chapter_shape.md (exercises, prompts, prose runs)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.rnnlab-installed
# The same arithmetic on every x86-64 machine with AVX2: OpenBLAS's Haswell kernels and numpy's
# AVX2 loops even where AVX-512 is present. Trained networks and optimisers amplify round-off,
# so without this the numbers the notebooks print (and nbval checks) depend on the CPU. A value
# already in the environment wins; elsewhere (no AVX2, aarch64) nothing is pinned.
ifneq ($(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo yes),)
export OPENBLAS_CORETYPE ?= Haswell
export NPY_DISABLE_CPU_FEATURES ?= X86_V4 AVX512_ICL AVX512_SPR
endif
# JupyterLab refuses to start as root unless told; containers often run as root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test lint format unit notebooks browser browser-latency browser-lab browser-book unit-then-lab notebooks-then-book book errata lab-notes stats student refresh-notebooks benchmarks install clean

install: $(STAMP)

# Re-install whenever the dependency list changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "rnnlab needs Python 3.11 or newer, found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Includes tests/chapters/test_student_versions.py, which runs every student notebook (marked slow).
unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser --durations=15
	$(BIN)/python -m pytest --doctest-modules rnnlab

# nbval runs every chapter once; tools/nbval_executed.py keeps each chapter that passed, with
# its outputs, in build/executed/ (the book is built from them) and prints each chapter's time.
notebooks: $(STAMP)
	PYTHONPATH=tools $(BIN)/python -m pytest -p nbval_executed --keep-executed build/executed \
		--nbval-lax --nbval-current-env notebooks

# The built book and a live JupyterLab in Debian's chromium (tests/browser). Without chromium
# every test there is reported as SKIPPED with the reason; .ci/run installs chromium first.
NO_CHROMIUM = command -v chromium >/dev/null 2>&1 || echo "make $@: no chromium on PATH, the browser tests will be SKIPPED (apt-get install -y chromium)"

browser: $(STAMP)
	@$(NO_CHROMIUM)
	$(BIN)/python -m pytest tests/browser

# The browser tests in the three parts `make test` runs them in: chapter 01 live in JupyterLab
# with the slider latency (on a quiet machine, as a user would feel it), the rest of the live
# JupyterLab tests, and the built book.
browser-latency: $(STAMP)
	@$(NO_CHROMIUM)
	$(BIN)/python -m pytest tests/browser/test_lab.py -k "01-toy"

browser-lab: $(STAMP)
	@$(NO_CHROMIUM)
	$(BIN)/python -m pytest tests/browser/test_lab.py -k "not 01-toy"

browser-book: $(STAMP)
	@$(NO_CHROMIUM)
	$(BIN)/python -m pytest tests/browser/test_book.py

# `make test`: lint; chapter 01's live app and its latency while nothing else runs; then two
# chains side by side, each mostly one process on one core: the unit tests, then the other
# live JupyterLab tests; the notebooks under nbval, then the book built from the chapters nbval
# executed (no chapter is executed twice for it) and its browser tests. BLAS gets one thread
# each (two BLAS threads per process on a busy 2-core machine are far slower). Each chain's
# output is printed whole when it ends.
test: lint
	$(MAKE) browser-latency
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(MAKE) -j2 --output-sync=target unit-then-lab notebooks-then-book

unit-then-lab: $(STAMP)
	$(MAKE) unit
	$(MAKE) browser-lab

notebooks-then-book: $(STAMP)
	$(MAKE) notebooks
	$(MAKE) browser-book

# Jupyter Book 1.x, offline, -W: a warning or a failing cell fails the build. The chapters come
# from build/executed/ when `make notebooks` left current copies there (same sources, newer
# than the library); otherwise every chapter is executed again (tools/build_book.py).
book: $(STAMP) errata lab-notes
	$(BIN)/python tools/build_book.py

# book/errata.md is generated from the chapters' "What we found" / "Errata" boxes.
errata: $(STAMP)
	$(BIN)/python tools/collect_errata.py

# notebooks/lab_notes/*.md (the book's Lab notes) are generated from the records in studies/.
lab-notes: $(STAMP)
	$(BIN)/python tools/collect_lab_notes.py

# The chapter shape, measured (book/chapter_shape.md): a table per chapter, then JSON.
stats: $(STAMP)
	$(BIN)/python tools/course_stats.py

# Solutions removed (exercise stubs kept) in build/student/, full copies in build/instructor/.
student: $(STAMP)
	$(BIN)/python tools/student_versions.py

# Grade a class: every .ipynb under SUBMISSIONS runs headless; build/grades/grades.csv,
# scores.csv and feedback/*.md (book/instructors.md). GRADE_ARGS="--timeout 1200" passes options.
.PHONY: grade
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=DIR (a folder of .ipynb)"; exit 2; }
	$(BIN)/python tools/grade.py "$(SUBMISSIONS)" --out build/grades $(GRADE_ARGS)

refresh-notebooks: $(STAMP)
	$(BIN)/python tools/refresh_notebooks.py --all

benchmarks: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build book/_build test-artifacts .pytest_cache .ruff_cache
