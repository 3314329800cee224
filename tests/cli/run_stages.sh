#!/usr/bin/env bash
# foldfit run --stages: the stages run in order through the fake AlphaFold 3, each later
# stage given the previous stage's model as templates; a failing stage stops the chain
# with the finished stages kept; the same command resumes.
source "$SRC/tests/fake_af3/e2e_lib.sh"
python3 - "$WORK/tet.json" <<'PY'
import json, sys
json.dump({"dialect": "alphafold3", "version": 2, "name": "tet", "modelSeeds": [1], "sequences": [
    {"protein": {"id": ["A", "B", "C", "D"], "sequence": "MKVLAAGIVGKS",
                 "unpairedMsa": ">q\nMKVLAAGIVGKS\n", "pairedMsa": "", "templates": []}}]}, open(sys.argv[1], "w"))
PY
run() { "$FOLDFIT" run --json_path="$WORK/tet.json" --stages=1,2,4 --output_dir="$WORK/out" --history_db="$DB" \
  --gpu=H100-80GB --format=json "$@"; }

# Stage 2 fails: stage 1 done and kept, stage 4 never launched.
FAKE_AF3_FAIL_NAME=tet_stage2 FAKE_AF3_UNRESOLVED=A:3 run >"$WORK/o1" 2>"$WORK/e1" && fail "a failing stage must fail the run"
expect_contains "$WORK/e1" "stage 2 of 3 (tet_stage2) did not finish"
expect_contains "$WORK/e1" "run the same command again to resume"
test -f "$WORK/out/tet_stage1/tet_stage1_ranking_scores.csv" || fail "stage 1 outputs lost"
test ! -e "$WORK/out/tet_stage4" || fail "stage 4 ran after a failed stage"
[ "$(grep -c . "$FAKE_AF3_RECORD")" = 2 ] || fail "expected 2 launches: $(cat "$FAKE_AF3_RECORD")"
# Stage 2 was given stage 1's chain A as its template, residue 3 unresolved.
python3 - "$FAKE_AF3_RECORD" <<'PY' || fail "stage 2 templates"
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
assert runs[0]["name"] == "tet_stage1" and runs[0]["templates"] == [[]]
assert runs[1]["name"] == "tet_stage2" and runs[1]["outcome"] == "failed"
(t,), = runs[1]["templates"]
q, tpl, head = t
assert head == "data_tet_stage1_A", head
assert q == tpl == [0, 1] + list(range(3, 12)), (q, tpl)
PY

# The same command resumes: stage 1 skipped, stage 2 and 4 run, stage 4 with stage 2's chains A and B.
run >"$WORK/o2" 2>"$WORK/e2" || { cat "$WORK/e2"; fail "resumed run failed"; }
expect_contains "$WORK/e2" "all 3 stages done"
python3 - "$FAKE_AF3_RECORD" <<'PY' || fail "resume"
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
names = [r["name"] for r in runs]
assert names == ["tet_stage1", "tet_stage2", "tet_stage2", "tet_stage4"], names
(a, b), = runs[3]["templates"]
assert (a[2], b[2]) == ("data_tet_stage2_A", "data_tet_stage2_B")
assert a[0] == a[1] == list(range(12))
PY
test -f "$WORK/out/tet_stage4/tet_stage4_model.cif" || fail "no full-complex model"
# Run again: everything skipped, nothing launched.
run >"$WORK/o3" 2>"$WORK/e3" || fail "third run"
[ "$(grep -c . "$FAKE_AF3_RECORD")" = 4 ] || fail "finished stages relaunched"

# A stage killed mid-run (SIGKILL to AlphaFold 3): the chain stops, the same command resumes.
run2() { "$FOLDFIT" run --json_path="$WORK/tet.json" --stages=1,2,4 --output_dir="$WORK/out2" --history_db="$DB" \
  --gpu=H100-80GB --format=json; }
FAKE_AF3_SECONDS=2 FAKE_AF3_PIDFILE="$WORK/pid" run2 >"$WORK/o4" 2>"$WORK/e4" &
foldfit_pid=$!
for _ in $(seq 1 300); do [ -d "$WORK/out2/tet_stage2" ] && break; sleep 0.1; done
[ -d "$WORK/out2/tet_stage2" ] || fail "stage 2 never started"
kill -KILL "$(cat "$WORK/pid")"
rc=0; wait "$foldfit_pid" || rc=$?
[ "$rc" -ne 0 ] || fail "a killed stage must fail the run"
expect_contains "$WORK/e4" "stage 2 of 3 (tet_stage2) did not finish"
test ! -e "$WORK/out2/tet_stage4" || fail "stage 4 ran after a killed stage"
test -f "$WORK/out2/tet_stage1/tet_stage1_model.cif" || fail "stage 1 outputs lost"
run2 >"$WORK/o5" 2>"$WORK/e5" || { cat "$WORK/e5"; fail "run after a killed stage failed"; }
expect_contains "$WORK/e5" "all 3 stages done"
test -f "$WORK/out2/tet_stage4/tet_stage4_model.cif" || fail "no full-complex model after resuming"
echo ok
