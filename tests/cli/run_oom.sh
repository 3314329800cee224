#!/usr/bin/env bash
# foldfit run: out of memory, then success with the next rung; and an exhausted ladder.
source "$SRC/tests/fake_af3/e2e_lib.sh"
# Simulated 6 GB card; N = 1024: the fake's peak is 1.5e9 + 2600 N^2 + 128 S N^2 = 4.90e9 bytes
# at 5 samples, above the 4.5e9 pool at JAX's default fraction 0.75, below 5.7e9 at 0.95.
export FAKE_GPU_MEMORY_BYTES=6000000000
make_job "$WORK/big.json" big 1000
cat > "$WORK/ladder.json" <<'J'
{"rungs": [{"expected_peak": 4000000000},
           {"config": {"XLA_CLIENT_MEM_FRACTION": 0.95}, "expected_peak": 4900000000}]}
J
export FOLDFIT_TEST_LADDER=$WORK/ladder.json
"$FOLDFIT" run --json_path="$WORK/big.json" --output_dir="$WORK/out" --history_db="$DB" --format=text \
  > "$WORK/stdout" 2>&1 || { cat "$WORK/stdout"; fail "run failed"; }
expect_contains "$WORK/stdout" "out of memory: W0000 00:00:00.000000 1 bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory"
expect_contains "$WORK/stdout" "learnt: this configuration needs at least 4.90 GB (expected 4.00 GB)"
expect_contains "$WORK/stdout" "  XLA_CLIENT_MEM_FRACTION: unset (0.75) -> 0.95 (listed in $WORK/ladder.json)"
expect_contains "$WORK/stdout" "big      1024  done                2  fitted after 1 out-of-memory"
test -f "$WORK/out/big/big_ranking_scores.csv" || fail "no outputs"
# The retry reused the first attempt's folder and its data-pipeline output.
python3 - "$FAKE_AF3_RECORD" "$WORK" <<'PY' || fail "retry launch"
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["outcome"] for r in runs] == ["oom", "succeeded"], runs
assert runs[1]["fraction"] == 0.95 and runs[1]["run_data_pipeline"] is False and runs[1]["force_output_dir"] is True
assert runs[1]["json_path"] == sys.argv[2] + "/out/big/big_data.json", runs[1]["json_path"]
PY
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h.json"
python3 - "$WORK/h.json" <<'PY' || fail "history"
import json, sys
h = json.load(open(sys.argv[1]))
assert [r["outcome"] for r in h] == ["succeeded", "oom"], h
oom = h[1]
assert oom["observed_is_lower_bound"] and oom["observed_source"] == "oom"
assert abs(oom["observed_peak"] - 4.9e9) < 1e7, oom["observed_peak"]
PY

# Exhausted: both rungs run out (4 samples still needs 4.77e9 > 4.5e9).
rm -rf "$WORK/out"
cat > "$WORK/ladder2.json" <<'J'
{"rungs": [{}, {"config": {"num_diffusion_samples": 4}}]}
J
rc=0
FOLDFIT_TEST_LADDER=$WORK/ladder2.json "$FOLDFIT" run --json_path="$WORK/big.json" --output_dir="$WORK/out" \
  --history_db="$DB" --format=text > "$WORK/stdout2" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/stdout2"; fail "exit code $rc"; }
expect_contains "$WORK/stdout2" "failed: out of memory"
expect_contains "$WORK/stdout2" "all 2 configurations of the ladder were tried"
expect_contains "$WORK/stdout2" "    2: samples 4, triton attention"
# --max_retries=0: one attempt only.
rm -rf "$WORK/out"
rc=0
FOLDFIT_TEST_LADDER=$WORK/ladder2.json "$FOLDFIT" run --json_path="$WORK/big.json" --output_dir="$WORK/out" \
  --history_db="$DB" --max_retries=0 --format=text > "$WORK/stdout3" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "exit code $rc"
expect_contains "$WORK/stdout3" "--max_retries=0 reached"
echo ok
