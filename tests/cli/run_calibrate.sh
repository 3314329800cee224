#!/usr/bin/env bash
# foldfit calibrate: measurements from the history handed to the model's fit, the overlay
# written atomically and used by estimate, and uncalibrated for another architecture.
source "$SRC/tests/fake_af3/e2e_lib.sh"
export FAKE_GPU_MEMORY_BYTES=42949672960 FAKE_AF3_PAIR=3400 FAKE_AF3_BASE=2.5e9
make_job "$WORK/mid.json" mid 3000
"$FOLDFIT" run --json_path="$WORK/mid.json" --output_dir="$WORK/out" --history_db="$DB" --gpu=A100-40GB > /dev/null
# The model's fit needs measured peaks; an out-of-memory run only bounds the peak, and a
# preallocated run only bounds it from above.
rc=0; "$FOLDFIT" calibrate --history_db="$DB" 2> "$WORK/err" || rc=$?
[ "$rc" = 2 ] || fail "exit code $rc"
expect_contains "$WORK/err" "no run in the history has a measured peak"

# Runs at three sizes whose peaks NVML measured without preallocation, 20% above what
# the model expected (as a GPU machine's history would hold them).
for n in 1500 2000 2500; do
  make_job "$WORK/job$n.json" "job$n" $n
  "$FOLDFIT" run --json_path="$WORK/job$n.json" --output_dir="$WORK/out" --history_db="$DB" --gpu=A100-40GB > /dev/null
done
python3 - "$DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE runs SET observed_peak = CAST(expected_peak * 1.2 AS INTEGER), observed_source = 'nvml', "
           "preallocated = 0, gpu = 'NVIDIA A100-SXM4-40GB' WHERE input_name LIKE 'job%' AND outcome = 'succeeded'")
db.commit()
PY
"$FOLDFIT" calibrate --history_db="$DB" > "$WORK/out.txt"
expect_contains "$WORK/out.txt" "calibrated on 4 recorded runs; overlay written to $XDG_DATA_HOME/foldfit/calibration.json"
python3 - "$XDG_DATA_HOME/foldfit/calibration.json" <<'PY' || fail "overlay"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["architecture"] == "ampere" and o["flash_attention"] == "triton", o
assert "history (3 runs)" in o["id"], o["id"]
PY
ls "$XDG_DATA_HOME/foldfit/" | grep -q tmp && fail "temporary file left behind"
# estimate reads it for the architecture it was fitted on...
"$FOLDFIT" estimate --json_path="$WORK/job2000.json" --gpu=A100-80GB > "$WORK/est" || true
expect_contains "$WORK/est" "history (3 runs)"
# ...and for another architecture the built-in overlay (fitted to XLA's compiles), not an error.
rc=0; "$FOLDFIT" estimate --json_path="$WORK/job2000.json" --gpu=H100-80GB > "$WORK/est2" 2>&1 || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/est2"; fail "estimate for another architecture: exit $rc"; }
expect_contains "$WORK/est2" "calibration alphafold3-v3.0.4/hopper/triton/xla 2026-12-03"
# An empty history: nothing to calibrate on.
rc=0; "$FOLDFIT" calibrate --history_db="$WORK/empty.sqlite" 2> "$WORK/err2" || rc=$?
[ "$rc" = 2 ] || fail "exit code $rc for an empty history"
expect_contains "$WORK/err2" "no recorded run has an observed peak to calibrate on"
echo ok
