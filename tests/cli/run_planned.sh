#!/usr/bin/env bash
# foldfit run with the real planner: an input too big for JAX's default pool on a 40 GB
# card is planned, launched with the plan's flags and environment, and fits first time.
source "$SRC/tests/fake_af3/e2e_lib.sh"
unset XLA_PYTHON_CLIENT_PREALLOCATE XLA_CLIENT_MEM_FRACTION XLA_PYTHON_CLIENT_MEM_FRACTION TF_FORCE_UNIFIED_MEMORY
export FAKE_GPU_MEMORY_BYTES=42949672960 FAKE_AF3_PAIR=2560 FAKE_AF3_SAMPLE=128 FAKE_AF3_BASE=2.5e9
make_job "$WORK/job.json" "big job" 3600
"$FOLDFIT" run --json_path="$WORK/job.json" --output_dir="$WORK/out" --history_db="$DB" --format=text \
  --gpu=A100-40GB > "$WORK/stdout" 2>&1 || { cat "$WORK/stdout"; fail "run failed"; }
expect_contains "$WORK/stdout" "Applying automatic memory optimizations:"
expect_contains "$WORK/stdout" "XLA_CLIENT_MEM_FRACTION: 0.75 -> 0.95"
expect_contains "$WORK/stdout" "1 done (0 after a retry), 0 skipped, 0 failed or stopped"
[ "$(json_get 'd["fraction"]' < "$FAKE_AF3_RECORD")" = 0.95 ] || fail "fraction not applied"
[ "$(json_get 'd["peak"] <= d["pool"]' < "$FAKE_AF3_RECORD")" = True ] || fail "AlphaFold 3 did not fit"

# A user setting is never changed: with the fraction fixed by the user the plan cannot
# use it; --estimate_memory_only says so without launching anything.
rc=0; XLA_CLIENT_MEM_FRACTION=0.5 "$FOLDFIT" run --json_path="$WORK/job.json" --gpu=A100-40GB --estimate_memory_only \
  --num_diffusion_samples=5 --format=text > "$WORK/est" 2>&1 || rc=$?
[ "$rc" = 11 ] || { cat "$WORK/est"; fail "estimate exit code $rc"; }
[ "$(wc -l < "$FAKE_AF3_RECORD")" = 1 ] || fail "estimate launched AlphaFold 3"

# The settings estimate plans are the settings AlphaFold 3 gets: N, samples, fraction.
"$FOLDFIT" estimate --json_path="$WORK/job.json" --gpu=A100-40GB --format=json > "$WORK/plan.json" || true
python3 - "$WORK/plan.json" "$FAKE_AF3_RECORD" <<'PY' || fail "estimate and run disagree"
import json, sys
plan = json.load(open(sys.argv[1]))
run = [json.loads(l) for l in open(sys.argv[2])][0]
assert run["n"] == plan["padded_tokens"] == plan["plan"]["padded_tokens"], (run["n"], plan["padded_tokens"])
s = plan["plan"]["settings"]
assert run["samples"] == s["num_diffusion_samples"]["value"]
assert run["fraction"] == s["XLA_CLIENT_MEM_FRACTION"]["value"]
PY
echo ok
