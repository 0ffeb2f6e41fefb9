#!/usr/bin/env bash
# The project's test command (called by `make test` and `.ci/run`).
# 1. exported modules and README are in sync with the notebooks, notebooks are clean;
# 2. every notebook's tests pass (nbdev-test); 3. the docs pre-process (and build where Quarto exists).
set -euo pipefail
VENV=${VENV:-.venv}
BIN="$VENV/bin"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} MKL_NUM_THREADS=${MKL_NUM_THREADS:-1} MPLBACKEND=Agg
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# numba (used by a few librosa functions) caches compiled code next to librosa; a cache written by an earlier run can
# crash a later one, so every run compiles into a fresh cache of its own
export NUMBA_CACHE_DIR="$tmp/numba"

n=$(ls nbs/*.ipynb 2>/dev/null | wc -l)
[ "$n" -gt 0 ] || { echo "FAIL: no notebooks in nbs/"; exit 1; }

echo "== notebooks are clean (nbdev-clean leaves no diff)"
cp -r nbs "$tmp/nbs"
"$BIN/nbdev-clean"
diff -r -q "$tmp/nbs" nbs || { echo "FAIL: notebooks were not clean; nbdev-clean has now cleaned them, commit the result"; exit 1; }

echo "== notebooks carry no audio blobs (tools/run_nb.py keeps plots and tables, drops players)"
if grep -l 'data:audio' nbs/*.ipynb; then echo "FAIL: the notebooks above embed audio; re-run them with tools/run_nb.py"; exit 1; fi
if grep -l 'widget-state+json' nbs/*.ipynb; then echo "FAIL: the notebooks above store widget state (a player's audio); re-run them with tools/run_nb.py"; exit 1; fi

echo "== exported modules are up to date (nbdev-export leaves no diff)"
cp -r speech2speech "$tmp/lib"
"$BIN/nbdev-export"
diff -r -q -x __pycache__ "$tmp/lib" speech2speech || { echo "FAIL: speech2speech/ differed from the notebooks; re-exported now, commit the result"; exit 1; }

echo "== every picture a chapter refers to exists"
"$BIN/python" scripts/check_figures.py nbs

echo "== README.md is rendered from nbs/index.ipynb"
"$BIN/python" scripts/render_readme.py --check

echo "== every benchmark script starts (--help imports everything it uses)"
for b in bench/*.py; do "$BIN/python" "$b" --help >/dev/null || { echo "FAIL: $b does not start"; exit 1; }; done

echo "== notebook tests ($n notebooks)"
"$BIN/nbdev-test" --timing 2>&1 | tee "$tmp/test.log"
if grep -q "No files were eligible" "$tmp/test.log"; then echo "FAIL: nbdev-test found no notebooks"; exit 1; fi

echo "== docs"
# (without Quarto, nbdev announces an install attempt that cannot work offline; that noise is filtered out)
rc=0; "$BIN/nbdev-proc-nbs" </dev/null >"$tmp/proc.log" 2>&1 || rc=$?
grep -v -e 'Quarto is not installed' -e 'requires root access' -e 'sudo: not found' -e 'install Quarto from quarto.org' "$tmp/proc.log" || true
[ "$rc" -eq 0 ] || { echo "FAIL: nbdev-proc-nbs (exit $rc)"; exit 1; }
if command -v quarto >/dev/null 2>&1; then
  echo "quarto found: building the site with nbdev-docs"; "$BIN/nbdev-docs"
else
  echo "quarto not on PATH: ran nbdev-proc-nbs only (every show_doc rendered); the site is built by .github/workflows/deploy.yaml"
fi
echo "== all checks passed"
