#!/usr/bin/env bash
# foldfit run killed outright (SIGKILL: scancel, a time limit, preemption): its AlphaFold 3
# dies with it, and a resumed run never starts a second AlphaFold 3 beside a survivor.
source "$SRC/tests/fake_af3/e2e_lib.sh"
tool_pid=
trap '[ -n "$tool_pid" ] && kill -KILL "$tool_pid" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in"
make_job "$WORK/in/a.json" a 50
export FAKE_AF3_PIDFILE=$WORK/af3.pid

wait_for_file() {
  for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.1; done
  fail "$1 never written"
}
# gone PID: true once PID no longer exists (or is a zombie awaiting its reaper), waiting up to 30 s.
gone() {
  for _ in $(seq 1 300); do
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)
    [ "$state" = gone ] || [ "$state" = Z ] && return 0
    sleep 0.1
  done
  return 1
}
runs_started() { [ -f "$FAKE_AF3_RECORD" ] && wc -l < "$FAKE_AF3_RECORD" || echo 0; }

# 1. SIGKILL foldfit mid-run: the kernel ends its AlphaFold 3 (PR_SET_PDEATHSIG); the
#    data-pipeline tool AlphaFold 3 had started (its process group) survives.
FAKE_AF3_SECONDS=60 FAKE_AF3_TOOL_PIDFILE=$WORK/tool.pid \
  "$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/in" --output_dir="$WORK/out" --history_db="$DB" > "$WORK/s1" 2>&1 &
foldfit_pid=$!
wait_for_file "$WORK/tool.pid"
af3_pid=$(cat "$WORK/af3.pid")
tool_pid=$(cat "$WORK/tool.pid")
kill -KILL "$foldfit_pid"
wait "$foldfit_pid" 2>/dev/null || true
gone "$af3_pid" || fail "AlphaFold 3 ($af3_pid) still running after its foldfit was killed"
kill -0 "$tool_pid" 2>/dev/null || fail "the tool process should still be alive for the next checks"
"$FOLDFIT" history --history_db="$DB" --format=json > "$WORK/h1.json"
[ "$(json_get '[r["outcome"] for r in d]' < "$WORK/h1.json")" = "['interrupted']" ] || { cat "$WORK/h1.json"; fail "history after SIGKILL"; }

# 2. Resume while the earlier run's process group is alive: refused, exit 3, nothing started.
before=$(runs_started)
rc=0
"$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/in" --output_dir="$WORK/out" --history_db="$DB" --format=text > "$WORK/s2" 2>&1 || rc=$?
[ "$rc" = 3 ] || { cat "$WORK/s2"; fail "exit code $rc with an earlier AlphaFold 3 alive"; }
expect_contains "$WORK/s2" "AlphaFold 3 of an earlier run is still running (pid $af3_pid"
expect_contains "$WORK/s2" "blocked"
[ "$(runs_started)" = "$before" ] || fail "a second AlphaFold 3 was started"

# 3. --wait_for_earlier_run: waits (with a message) until it ends, then runs the input.
(sleep 1; kill -KILL "$tool_pid") &
killer=$!
FAKE_AF3_SECONDS=0.05 "$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/in" --output_dir="$WORK/out" --history_db="$DB" \
  --format=text --wait_for_earlier_run > "$WORK/s3" 2>&1 || { cat "$WORK/s3"; fail "resume with --wait_for_earlier_run failed"; }
wait "$killer" || true
gone "$tool_pid" || fail "the tool never ended"
tool_pid=
expect_contains "$WORK/s3" "still running (pid $af3_pid"
expect_contains "$WORK/s3" "waiting for it to end"
expect_contains "$WORK/s3" "1 done"
test -f "$WORK/out/a/a_ranking_scores.csv" || fail "outputs missing"

# 4. Two foldfit runs of one input at once: the second refuses while the first's AlphaFold 3 runs.
make_job "$WORK/in2.json" b 60
rm -f "$WORK/af3.pid"
FAKE_AF3_SECONDS=60 "$FOLDFIT" run --gpu=H100-80GB --json_path="$WORK/in2.json" --output_dir="$WORK/out" --history_db="$DB" > "$WORK/s4" 2>&1 &
first=$!
wait_for_file "$WORK/af3.pid"
rc=0
"$FOLDFIT" run --gpu=H100-80GB --json_path="$WORK/in2.json" --output_dir="$WORK/out2" --history_db="$DB" > "$WORK/s5" 2>&1 || rc=$?
[ "$rc" = 3 ] || { cat "$WORK/s5"; fail "second concurrent run of one input: exit code $rc"; }
kill -TERM "$first"
wait "$first" 2>/dev/null || true
gone "$(cat "$WORK/af3.pid")" || fail "AlphaFold 3 still running after SIGTERM"
echo ok
