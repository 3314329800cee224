#!/usr/bin/env bash
# foldfit run: the plan applied and fitting first time; a second run skips; --force keeps the first outputs.
source "$SRC/tests/fake_af3/e2e_lib.sh"
make_job "$WORK/job.json" "small job" 100
cat > "$WORK/ladder.json" <<'J'
{"rungs": [{"config": {"num_diffusion_samples": 3}, "expected_peak": 2000000000, "budget": 4500000000,
            "runtime_seconds": 30,
            "changes": [{"setting": "num_diffusion_samples", "from": "5", "to": "3", "reason": "test plan"}]}]}
J
export FOLDFIT_TEST_LADDER=$WORK/ladder.json
"$FOLDFIT" run --json_path="$WORK/job.json" --output_dir="$WORK/out" --history_db="$DB" --format=text \
  --model_dir=/models --num_recycles=4 > "$WORK/stdout" 2>&1 || { cat "$WORK/stdout"; fail "run failed"; }
expect_contains "$WORK/stdout" "Applying automatic memory optimizations:"
expect_contains "$WORK/stdout" "  num_diffusion_samples: 5 -> 3 (test plan)"
expect_contains "$WORK/stdout" "expected peak 2.00 GB of 4.50 GB usable"
expect_contains "$WORK/stdout" "compiling + inference seed 1/1"
expect_contains "$WORK/stdout" "1 done (0 after a retry), 0 skipped, 0 failed or stopped"
test -f "$WORK/out/small_job/small_job_ranking_scores.csv" || fail "no outputs"
# What AlphaFold 3 was given: the plan's samples, the user's other flags, a compilation cache.
[ "$(json_get 'd["samples"]' < "$FAKE_AF3_RECORD")" = 3 ] || fail "samples not applied"
grep -q -- '--model_dir=/models' "$FAKE_AF3_RECORD" || fail "model_dir not passed on"
grep -q -- '--num_recycles=4' "$FAKE_AF3_RECORD" || fail "num_recycles not passed on"
[ "$(json_get 'd["jax_compilation_cache_dir"]' < "$FAKE_AF3_RECORD")" = "$XDG_CACHE_HOME/foldfit/jax_compilation_cache" ] || fail "cache dir"
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h.json"
[ "$(json_get 'd[0]["outcome"]' < "$WORK/h.json")" = succeeded ] || fail "history outcome"
[ "$(json_get 'd[0]["config"]["num_diffusion_samples"]' < "$WORK/h.json")" = 3 ] || fail "history config"
[ "$(json_get 'len(d[0]["input_hash"])' < "$WORK/h.json")" = 64 ] || fail "input hash"

# Second run: outputs complete, skipped (machine-readable when stdout is not a terminal).
"$FOLDFIT" run --json_path="$WORK/job.json" --output_dir="$WORK/out" --history_db="$DB" > "$WORK/stdout2"
expect_contains "$WORK/stdout2" '"event":"skip"'
[ "$(wc -l < "$FAKE_AF3_RECORD")" = 1 ] || fail "AlphaFold 3 ran again"

# --force: AlphaFold 3 writes a new timestamped folder; the finished one is untouched.
before=$(stat -c %Y "$WORK/out/small_job/small_job_model.cif")
"$FOLDFIT" run --json_path="$WORK/job.json" --output_dir="$WORK/out" --history_db="$DB" --force > /dev/null
[ "$(stat -c %Y "$WORK/out/small_job/small_job_model.cif")" = "$before" ] || fail "finished output overwritten"
ls -d "$WORK"/out/small_job_2* > /dev/null || fail "no timestamped folder"

# Estimate only: the plan's verdict as the exit code, nothing launched.
rc=0; "$FOLDFIT" run --json_path="$WORK/job.json" --estimate_memory_only --format=text > "$WORK/est" || rc=$?
[ "$rc" = 10 ] || fail "estimate exit code $rc"
[ "$(wc -l < "$FAKE_AF3_RECORD")" = 2 ] || fail "estimate launched AlphaFold 3"
echo ok
