#!/usr/bin/env bash
# foldfit run with the real planner against a fake GPU that needs more than the model
# says: out of memory, then a plan that keeps the shortfall free and fits; an exhausted
# ladder; --max_retries; --noauto_memory_optimization.
source "$SRC/tests/fake_af3/e2e_lib.sh"
# A 40 GB card. The model expects 28.72 GB at N = 3072, within JAX's default pool (32.21
# GB); the fake needs 2.5e9 + (3400 - 512 + 128 S) N^2 = 35.79 GB: out of memory at the
# default fraction, fits at AlphaFold 3's 0.95 (40.80 GB).
export FAKE_GPU_MEMORY_BYTES=42949672960 FAKE_AF3_PAIR=3400 FAKE_AF3_BASE=2.5e9
make_job "$WORK/mid.json" mid 3000
"$FOLDFIT" run --json_path="$WORK/mid.json" --output_dir="$WORK/out" --history_db="$DB" --format=text --gpu=A100-40GB \
  > "$WORK/stdout" 2>&1 || { cat "$WORK/stdout"; fail "run failed"; }
expect_contains "$WORK/stdout" "out of memory: W0000 00:00:00.000000 1 bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory"
expect_contains "$WORK/stdout" "learnt: this configuration needs at least 35.79 GB (expected 28.72 GB)"
expect_contains "$WORK/stdout" "  XLA_CLIENT_MEM_FRACTION: 0.75 -> 0.95 (let JAX's allocator use 95% of the device"
expect_contains "$WORK/stdout" "mid      3072  done                2  fitted after 1 out-of-memory"
test -f "$WORK/out/mid/mid_ranking_scores.csv" || fail "no outputs"
# The retry reused the first attempt's folder and its data-pipeline output.
python3 - "$FAKE_AF3_RECORD" "$WORK" <<'PY' || fail "retry launch"
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["outcome"] for r in runs] == ["oom", "succeeded"], runs
assert runs[0]["fraction"] == 0.75 and runs[1]["fraction"] == 0.95, runs
assert runs[1]["run_data_pipeline"] is False and runs[1]["force_output_dir"] is True
assert runs[1]["json_path"] == sys.argv[2] + "/out/mid/mid_data.json", runs[1]["json_path"]
PY
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h.json"
python3 - "$WORK/h.json" <<'PY' || fail "history"
import json, sys
h = json.load(open(sys.argv[1]))
assert [r["outcome"] for r in h] == ["succeeded", "oom"], h
oom = h[1]
assert oom["observed_is_lower_bound"] and oom["observed_source"] == "oom"
assert abs(oom["observed_peak"] - 35.79e9) < 1e7, oom["observed_peak"]
assert [r["padded_tokens"] for r in h] == [3072, 3072]
PY

# Exhausted: the fake needs far more than the card at any setting the planner has.
rm -rf "$WORK/out"
rc=0
FAKE_AF3_PAIR=6000 "$FOLDFIT" run --json_path="$WORK/mid.json" --output_dir="$WORK/out" --history_db="$DB" \
  --format=text --gpu=A100-40GB > "$WORK/stdout2" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/stdout2"; fail "exit code $rc"; }
expect_contains "$WORK/stdout2" "failed: out of memory"
expect_contains "$WORK/stdout2" "kept free beyond the margin (learnt from out-of-memory)"
expect_contains "$WORK/stdout2" "    1: samples 5, triton attention, N 3072, expected peak 28.72 GB"

# --max_retries=0: one attempt only.
rm -rf "$WORK/out"
rc=0
"$FOLDFIT" run --json_path="$WORK/mid.json" --output_dir="$WORK/out" --history_db="$DB" --max_retries=0 \
  --format=text --gpu=A100-40GB > "$WORK/stdout3" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "exit code $rc"
expect_contains "$WORK/stdout3" "--max_retries=0 reached"

# --noauto_memory_optimization: the settings as given, once.
rm -rf "$WORK/out"
rc=0
"$FOLDFIT" run --json_path="$WORK/mid.json" --output_dir="$WORK/out" --history_db="$DB" --noauto_memory_optimization \
  --format=text --gpu=A100-40GB > "$WORK/stdout4" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "exit code $rc"
expect_contains "$WORK/stdout4" "automatic memory optimization is off (--noauto_memory_optimization)"
echo ok
