#!/usr/bin/env bash
# foldfit calibrate: measurements from the history handed to the fit, overlay written atomically.
source "$SRC/tests/fake_af3/e2e_lib.sh"
export FAKE_GPU_MEMORY_BYTES=6000000000
make_job "$WORK/big.json" big 1000
cat > "$WORK/ladder.json" <<'J'
{"rungs": [{"expected_peak": 4000000000}, {"config": {"XLA_CLIENT_MEM_FRACTION": 0.95}, "expected_peak": 4900000000}]}
J
FOLDFIT_TEST_LADDER=$WORK/ladder.json "$FOLDFIT" run --json_path="$WORK/big.json" --output_dir="$WORK/out" \
  --history_db="$DB" > /dev/null
# The model's fit needs measured peaks; an out-of-memory run only bounds the peak.
rc=0; "$FOLDFIT" calibrate --history_db="$DB" 2> "$WORK/err" || rc=$?
[ "$rc" = 2 ] || fail "exit code $rc"
expect_contains "$WORK/err" "no run in the history has a measured peak"
# The test fit: what the history hands over.
FOLDFIT_TEST_CALIBRATION_FIT=1 "$FOLDFIT" calibrate --history_db="$DB" > "$WORK/out.txt"
expect_contains "$WORK/out.txt" "calibrated on 1 recorded run; overlay written to $XDG_DATA_HOME/foldfit/calibration.json"
python3 - "$XDG_DATA_HOME/foldfit/calibration.json" <<'PY' || fail "overlay"
import json, sys
o = json.load(open(sys.argv[1]))
[s] = o["samples"]
assert s["kind"] == "lower_bound" and s["source"] == "oom" and s["padded_tokens"] == 1024, s
assert abs(s["observed"] - 4.9e9) < 1e7, s
PY
ls "$XDG_DATA_HOME/foldfit/" | grep -q tmp && fail "temporary file left behind"
# An empty history: nothing to calibrate on.
rc=0; FOLDFIT_TEST_CALIBRATION_FIT=1 "$FOLDFIT" calibrate --history_db="$WORK/empty.sqlite" 2> "$WORK/err2" || rc=$?
[ "$rc" = 2 ] || fail "exit code $rc for an empty history"
expect_contains "$WORK/err2" "no recorded run has an observed peak to calibrate on"
echo ok
