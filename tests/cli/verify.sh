#!/usr/bin/env bash
# foldfit verify against the stand-in AlphaFold 3 (tests/fake_af3/alphafold3) with the
# project's .venv (JAX on CPU): the plan's request, XLA's figures read and compared,
# the cache, the history row, and every way it can fail.
source "$SRC/tests/fake_af3/e2e_lib.sh"
py="$SRC/.venv/bin/python"
[ -x "$py" ] || fail "$py is missing: run scripts/setup.sh"
mkdir -p "$WORK/af3"
cp -r "$SRC/tests/fake_af3/alphafold3" "$WORK/af3/"
export PYTHONPATH="$WORK/af3"
args=(--gpu=H100-80GB --backend=cpu --af3_python="$py" --flash_attention_implementation=xla --num_diffusion_samples=2)

"$FOLDFIT" verify --padded_tokens=96 "${args[@]}" --history_db="$DB" --format=json > "$WORK/v.json" 2> "$WORK/v.err" ||
  { cat "$WORK/v.err"; fail "verify failed"; }
grep -q "compiling" "$WORK/v.err" || fail "no progress shown"
python3 - "$WORK/v.json" <<'PY' || fail "verify json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "foldfit.verify/1" and d["padded_tokens"] == 96, d
x = d["xla"]
assert x["backend"] == "cpu" and x["cached"] is False
assert x["pool_bytes"] == x["argument_bytes"] + x["output_bytes"] + x["temp_bytes"] - x["alias_bytes"] > 0
assert x["largest_buffers"] and all("foldfit_phase" in b for b in x["largest_buffers"])
assert d["settings"]["num_diffusion_samples"] == {"value": 2, "origin": "flag"}
assert abs(d["pool_difference"] - (x["pool_bytes"] - d["foldfit"]["pool_bytes"]) / x["pool_bytes"]) < 1e-9
assert d["history_run"] >= 1
PY
# The plan verify compiles is estimate's: same padded N and pool.
python3 - "$WORK/n96.json" <<'PY'
import json, sys
json.dump({"dialect": "alphafold3", "version": 2, "name": "n96", "modelSeeds": [1],
           "sequences": [{"protein": {"id": "A", "sequence": "M" * 90}}]}, open(sys.argv[1], "w"))
PY
"$FOLDFIT" verify --json_path="$WORK/n96.json" "${args[@]}" --buckets=96 --norecord --format=json > "$WORK/v2.json" 2>/dev/null ||
  fail "verify of an input failed"
"$FOLDFIT" estimate --json_path="$WORK/n96.json" --gpu=H100-80GB --flash_attention_implementation=xla \
  --num_diffusion_samples=2 --buckets=96 --format=json > "$WORK/e.json" || true
python3 - "$WORK/v2.json" "$WORK/e.json" <<'PY' || fail "verify and estimate disagree"
import json, sys
v, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert v["padded_tokens"] == e["padded_tokens"] == 96
assert v["foldfit"]["pool_bytes"] == e["plan"]["estimate"]["pool_bytes"]
assert v["settings"] == e["plan"]["settings"]
assert v["xla"]["cached"] is True  # the same compile as the first call
PY

# Text report; the CPU backend is never a GPU figure.
"$FOLDFIT" verify --padded_tokens=96 "${args[@]}" --norecord > "$WORK/v.txt" 2>/dev/null || fail "text report"
expect_contains "$WORK/v.txt" "XLA verify for 96 tokens: N 96, 2 samples per run, xla attention"
expect_contains "$WORK/v.txt" "structural check, not a GPU figure"
expect_contains "$WORK/v.txt" "(cached result)"

# The history holds the observation; calibrate leaves CPU compiles out.
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h.json"
[ "$(json_get 'd[0]["observed_source"]' < "$WORK/h.json")" = xla-cpu ] || fail "history source"
rc=0; "$FOLDFIT" calibrate --history_db="$DB" 2> "$WORK/c.err" || rc=$?
[ "$rc" = 2 ] || fail "calibrate on a CPU compile: exit $rc"

# Failures: a Python that does not exist, one without JAX, an AlphaFold 3 without a
# config field the plan sets, a compile that fails.
rc=0; "$FOLDFIT" verify --padded_tokens=96 --gpu=H100-80GB --backend=cpu --af3_python="$WORK/nopython" --norecord \
  > "$WORK/o" 2> "$WORK/e1" || rc=$?
[ "$rc" = 2 ] || fail "missing python: exit $rc"
expect_contains "$WORK/e1" "--af3_python"
rc=0; "$FOLDFIT" verify --padded_tokens=96 "${args[@]}" --af3_python="$py -S -I" --norecord > "$WORK/o" 2> "$WORK/e2" || rc=$?
[ "$rc" = 2 ] || fail "python without JAX: exit $rc"
expect_contains "$WORK/e2" "JAX is not importable"
sed -i '/pair_attention_chunk_size: tuple/d' "$WORK/af3/alphafold3/model/model_config.py"
rc=0; "$FOLDFIT" verify --padded_tokens=96 "${args[@]}" --pair_attention_chunk_size='((None, 64),)' --norecord \
  > "$WORK/o" 2> "$WORK/e3" || rc=$?
[ "$rc" = 2 ] || fail "missing config field: exit $rc"
expect_contains "$WORK/e3" "has no global_config.pair_attention_chunk_size"
rc=0; FAKE_AF3_COMPILE_FAIL=1 "$FOLDFIT" verify --padded_tokens=128 "${args[@]}" --norecord > "$WORK/o" 2> "$WORK/e4" || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/e4"; fail "compile failure: exit $rc"; }
expect_contains "$WORK/e4" "(compile)"
# No GPU here: cuda-device is refused with the way out.
rc=0; "$FOLDFIT" verify --padded_tokens=96 --gpu=H100-80GB --backend=cuda-device --af3_python="$py" > "$WORK/o" 2> "$WORK/e5" || rc=$?
[ "$rc" = 2 ] || fail "cuda-device without a GPU: exit $rc"
echo ok
