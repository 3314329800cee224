#!/usr/bin/env bash
# foldfit run: a small input fits as given and is launched with the plan's settings; a
# second run skips; --force keeps the first outputs; --estimate_memory_only prints
# estimate's report.
source "$SRC/tests/fake_af3/e2e_lib.sh"
make_job "$WORK/job.json" "small job" 100
"$FOLDFIT" run --json_path="$WORK/job.json" --output_dir="$WORK/out" --history_db="$DB" --format=text \
  --gpu=H100-80GB --model_dir=/models --num_recycles=4 > "$WORK/stdout" 2>&1 || { cat "$WORK/stdout"; fail "run failed"; }
expect_contains "$WORK/stdout" "small job (100 tokens, bucket 128)"
expect_contains "$WORK/stdout" "(planner, alphafold3-v3.0.4 (profile 2) alphafold3-v3.0.4/hopper/triton/xla 2026-12-03)"
expect_contains "$WORK/stdout" "compiling + inference seed 1/1"
expect_contains "$WORK/stdout" "1 done (0 after a retry), 0 skipped, 0 failed or stopped"
test -f "$WORK/out/small_job/small_job_ranking_scores.csv" || fail "no outputs"
# What AlphaFold 3 was given: the plan's buckets and samples, the user's other flags, a
# compilation cache, and no environment variable foldfit had no reason to set.
[ "$(json_get 'd["samples"]' < "$FAKE_AF3_RECORD")" = 5 ] || fail "samples"
[ "$(json_get 'd["n"]' < "$FAKE_AF3_RECORD")" = 128 ] || fail "padded N"
[ "$(json_get 'd["preallocate"]' < "$FAKE_AF3_RECORD")" = None ] || fail "PREALLOCATE set without a reason"
grep -q -- '--model_dir=/models' "$FAKE_AF3_RECORD" || fail "model_dir not passed on"
grep -q -- '--num_recycles=4' "$FAKE_AF3_RECORD" || fail "num_recycles not passed on"
[ "$(json_get 'd["jax_compilation_cache_dir"]' < "$FAKE_AF3_RECORD")" = "$XDG_CACHE_HOME/foldfit/jax_compilation_cache" ] || fail "cache dir"
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h.json"
[ "$(json_get 'd[0]["outcome"]' < "$WORK/h.json")" = succeeded ] || fail "history outcome"
[ "$(json_get 'd[0]["padded_tokens"]' < "$WORK/h.json")" = 128 ] || fail "history N"
[ "$(json_get 'd[0]["config"]["settings"]["num_recycles"]' < "$WORK/h.json")" = "{'value': 4, 'origin': 'flag'}" ] || fail "history settings"
[ "$(json_get 'len(d[0]["input_hash"])' < "$WORK/h.json")" = 64 ] || fail "input hash"

# Second run: outputs complete, skipped (machine-readable when stdout is not a terminal).
"$FOLDFIT" run --json_path="$WORK/job.json" --output_dir="$WORK/out" --history_db="$DB" --gpu=H100-80GB > "$WORK/stdout2"
expect_contains "$WORK/stdout2" '"event":"skip"'
[ "$(wc -l < "$FAKE_AF3_RECORD")" = 1 ] || fail "AlphaFold 3 ran again"

# --force: AlphaFold 3 writes a new timestamped folder; the finished one is untouched.
before=$(stat -c %Y "$WORK/out/small_job/small_job_model.cif")
"$FOLDFIT" run --json_path="$WORK/job.json" --output_dir="$WORK/out" --history_db="$DB" --gpu=H100-80GB --force > /dev/null
[ "$(stat -c %Y "$WORK/out/small_job/small_job_model.cif")" = "$before" ] || fail "finished output overwritten"
ls -d "$WORK"/out/small_job_2* > /dev/null || fail "no timestamped folder"

# Estimate only: estimate's own report and exit code, nothing launched.
rc=0; "$FOLDFIT" run --json_path="$WORK/job.json" --estimate_memory_only --gpu=H100-80GB > "$WORK/est" || rc=$?
[ "$rc" = 0 ] || fail "estimate exit code $rc"
"$FOLDFIT" estimate --json_path="$WORK/job.json" --gpu=H100-80GB > "$WORK/est2"
cmp -s "$WORK/est" "$WORK/est2" || { diff "$WORK/est" "$WORK/est2"; fail "run --estimate_memory_only differs from estimate"; }
[ "$(wc -l < "$FAKE_AF3_RECORD")" = 2 ] || fail "estimate launched AlphaFold 3"
echo ok
