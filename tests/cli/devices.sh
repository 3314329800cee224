#!/usr/bin/env bash
# foldfit devices: exit 0 with or without a GPU, the table, the environment findings,
# JSON output, and usage errors (exit 2).
set -euo pipefail
: "${FOLDFIT:?set FOLDFIT to the foldfit binary}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
clean_env() { env -u XLA_PYTHON_CLIENT_PREALLOCATE -u XLA_CLIENT_MEM_FRACTION -u XLA_PYTHON_CLIENT_MEM_FRACTION \
  -u TF_FORCE_UNIFIED_MEMORY -u XLA_PYTHON_CLIENT_ALLOCATOR -u XLA_FLAGS "$@"; }

# Text: always exit 0; either GPUs or the reason there are none; the table; the environment.
clean_env "$FOLDFIT" devices >"$out/text" || fail "devices exited $?"
grep -q '^Detected GPUs (NVML):' "$out/text" || fail "no detected section"
grep -Eq '^  (none: .+|GPU 0 .+)$' "$out/text" || fail "neither GPUs nor a reason"
grep -Eq '^  H100-80GB +85\.52 +79\.65 +9\.0  hopper' "$out/text" || fail "H100-80GB row"
grep -Eq '^  A100-40GB +42\.95 +40\.00 +8\.0' "$out/text" || fail "A100-40GB row"
grep -q "note: XLA_CLIENT_MEM_FRACTION: not set: JAX's default fraction 0.75 applies" "$out/text" || fail "default note"

# A table GPU to check against: V100 without the 7.x settings, with AF3's fraction.
clean_env XLA_CLIENT_MEM_FRACTION=0.95 "$FOLDFIT" devices --gpu=v100_32gb >"$out/v100"
grep -q 'budget on table GPU V100-32GB: pool 32.38 GB / 30.16 GiB of 34.09 GB / 31.75 GiB' "$out/v100" || fail "V100 budget"
grep -q 'error: XLA_FLAGS: compute capability 7.0 needs XLA_FLAGS to include --xla_disable_hlo_passes=custom-kernel-fusion-rewriter' "$out/v100" || fail "7.x flag"
grep -q 'fix: pass --flash_attention_implementation=xla' "$out/v100" || fail "7.x flash"
clean_env XLA_CLIENT_MEM_FRACTION=0.95 XLA_FLAGS=--xla_disable_hlo_passes=custom-kernel-fusion-rewriter \
  "$FOLDFIT" devices --gpu=V100-32GB --flash_attention_implementation=xla >"$out/v100ok"
if grep -q '^  error:' "$out/v100ok"; then fail "V100 with the documented settings still has errors"; fi

# Unified memory as AF3's docs set it, on an A100 40GB: pool 3.2 x total, 2.2 x total on the host.
clean_env XLA_PYTHON_CLIENT_PREALLOCATE=false TF_FORCE_UNIFIED_MEMORY=true XLA_CLIENT_MEM_FRACTION=3.2 \
  "$FOLDFIT" devices --gpu=A100-40GB >"$out/unified"
grep -q 'pool 137.44 GB / 128.00 GiB of 42.95 GB / 40.00 GiB, of which up to 94.49 GB / 88.00 GiB in host RAM' "$out/unified" \
  || fail "unified budget"

# A fraction above 1 without unified memory is an error, and still exit 0.
clean_env XLA_CLIENT_MEM_FRACTION=1.5 "$FOLDFIT" devices >"$out/over" || fail "exit code with a bad fraction"
grep -q '  error: XLA_CLIENT_MEM_FRACTION: XLA_CLIENT_MEM_FRACTION=1.5 asks for more than' "$out/over" || fail "fraction > 1"

# JSON: parses, and carries the table with origins and the findings.
clean_env XLA_CLIENT_MEM_FRACTION=abc "$FOLDFIT" devices --format=json >"$out/json"
if command -v python3 >/dev/null; then
  python3 - "$out/json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["detected"]["gpus"] or d["detected"]["unavailable_reason"], "no GPUs and no reason"
h100 = [g for g in d["table"] if g["name"] == "H100-80GB"][0]
assert h100["memory_bytes"] == 81559 * 2**20 and h100["origin"] and h100["memory_origin"]
f = d["environment"]["findings"][0]
assert f["severity"] == "error" and f["variable"] == "XLA_CLIENT_MEM_FRACTION", f
assert d["environment"]["variables"] == {"XLA_CLIENT_MEM_FRACTION": "abc"}
PY
else
  grep -q '"memory_bytes": 85520809984' "$out/json" || fail "json table"
fi

# Usage errors: exit 2 with a did-you-mean.
set +e
"$FOLDFIT" devices --gpu=A100 2>"$out/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "--gpu=A100 exit $rc"
grep -q "unknown GPU 'A100' (did you mean 'A100-40GB' or 'A100-80GB'?)" "$out/err" || fail "did you mean"
set +e
"$FOLDFIT" devices --format=xml 2>/dev/null; rc=$?
set -e
[ "$rc" = 2 ] || fail "--format=xml exit $rc"
echo "ok"
