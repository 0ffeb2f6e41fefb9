# The two commands of the README:  `make demo`  and  `make test`.
# Each creates its own virtual environment (.venv) on first use and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test test-slow install bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt torch   # the CPU build pinned in constraints.txt, first
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Run the main job on the bundled demo corpus and checkpoint: writes demo_out/index.html
demo: $(STAMP)
	$(BIN)/s2s demo --out demo_out

## Sync checks, notebook tests and docs processing
test: $(STAMP)
	VENV=$(VENV) bash scripts/check.sh

## The slow notebook cells too (real checkpoints, long runs): run on a schedule, not on every push
test-slow: $(STAMP)
	OMP_NUM_THREADS=1 MPLBACKEND=Agg $(BIN)/nbdev-test --flags slow --timing

## Benchmarks (run on an idle machine)
bench: $(STAMP)
	$(BIN)/python bench/features.py
	$(BIN)/python bench/griffinlim.py
	$(BIN)/python bench/prepare.py
	$(BIN)/python bench/convert.py
	$(BIN)/python bench/train.py
