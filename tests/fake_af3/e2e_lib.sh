# e2e_lib.sh - shared set-up of the `foldfit run` end-to-end tests (sourced by tests/cli/run_*.sh).
# A scratch folder, private XDG folders and history database, and the fake AlphaFold 3.
set -euo pipefail
# The machine's own JAX/XLA settings must not reach the tests.
unset XLA_PYTHON_CLIENT_PREALLOCATE XLA_CLIENT_MEM_FRACTION XLA_PYTHON_CLIENT_MEM_FRACTION TF_FORCE_UNIFIED_MEMORY \
  XLA_PYTHON_CLIENT_ALLOCATOR XLA_FLAGS CUDA_VISIBLE_DEVICES
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache
export FOLDFIT_AF3_COMMAND="python3 $SRC/tests/fake_af3/run_alphafold.py"
export FAKE_AF3_RECORD=$WORK/af3_runs.jsonl FAKE_AF3_SECONDS=${FAKE_AF3_SECONDS:-0.05}
DB=$WORK/history.sqlite

# make_job FILE NAME RESIDUES: an alphafold3-dialect input with one protein chain.
make_job() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
json.dump({"dialect": "alphafold3", "version": 2, "name": name, "modelSeeds": [1],
           "sequences": [{"protein": {"id": "A", "sequence": ("MKVLAAGIVG" * (n // 10 + 1))[:n]}}]}, open(path, "w"))
PY
}

# json_get 'EXPRESSION' < JSON: evaluates EXPRESSION on the parsed document `d`.
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_contains() { grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "expected '$2' in $1"; }; }
