#!/usr/bin/env bash
# foldfit run: SIGINT reaches AlphaFold 3 and foldfit waits for it; a batch resumes after foldfit is killed.
source "$SRC/tests/fake_af3/e2e_lib.sh"
mkdir -p "$WORK/in"
make_job "$WORK/in/a.json" a 50
make_job "$WORK/in/b.json" b 300
export FAKE_AF3_PIDFILE=$WORK/af3.pid

wait_for_af3() {
  for _ in $(seq 1 200); do [ -s "$WORK/af3.pid" ] && return 0; sleep 0.1; done
  fail "AlphaFold 3 did not start"
}

# 1. SIGINT while AlphaFold 3 runs: passed on, waited for, recorded, batch stopped, exit 128+2.
FAKE_AF3_SECONDS=5 "$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/in" --output_dir="$WORK/out" --history_db="$DB" > "$WORK/s1" 2>&1 &
foldfit_pid=$!
wait_for_af3
af3_pid=$(cat "$WORK/af3.pid")
sleep 0.3
kill -INT "$foldfit_pid"
rc=0; wait "$foldfit_pid" || rc=$?
[ "$rc" = 130 ] || { cat "$WORK/s1"; fail "exit code $rc after SIGINT"; }
! kill -0 "$af3_pid" 2>/dev/null || fail "AlphaFold 3 still running after foldfit returned"
expect_contains "$WORK/s1" '"outcome":"interrupted"'
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h1.json"
[ "$(json_get '[r["outcome"] for r in d]' < "$WORK/h1.json")" = "['interrupted']" ] || fail "history after SIGINT"

# 2. foldfit killed outright (and its AlphaFold 3 with it, as when a node dies).
rm -f "$WORK/af3.pid"
FAKE_AF3_SECONDS=5 "$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/in" --output_dir="$WORK/out" --history_db="$DB" > "$WORK/s2" 2>&1 &
foldfit_pid=$!
wait_for_af3
kill -KILL "$foldfit_pid"
wait "$foldfit_pid" 2>/dev/null || true
kill -KILL "$(cat "$WORK/af3.pid")" 2>/dev/null || true

# 3. Resume: the dead run's row becomes "interrupted"; both inputs finish; outputs of the
#    interrupted attempt's folder are reused, not duplicated.
"$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/in" --output_dir="$WORK/out" --history_db="$DB" --format=text > "$WORK/s3" 2>&1 \
  || { cat "$WORK/s3"; fail "resume failed"; }
expect_contains "$WORK/s3" "2 done (0 after a retry), 0 skipped, 0 failed or stopped"
test -f "$WORK/out/a/a_ranking_scores.csv" && test -f "$WORK/out/b/b_ranking_scores.csv" || fail "outputs missing"
[ -z "$(ls -d "$WORK"/out/a_2* 2>/dev/null)" ] || fail "a timestamped folder was created for an unfinished input"
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h3.json"
[ "$(json_get '[r["outcome"] for r in d]' < "$WORK/h3.json")" = "['succeeded', 'succeeded', 'interrupted', 'interrupted']" ] \
  || { cat "$WORK/h3.json"; fail "history after resume"; }
# Bucket order: a (bucket 128) before b (bucket 384).
[ "$(json_get '[r["input_name"] for r in d[:2]]' < "$WORK/h3.json")" = "['b', 'a']" ] || fail "bucket order"
echo ok
