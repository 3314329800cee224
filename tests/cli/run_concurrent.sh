#!/usr/bin/env bash
# Two foldfit runs at once, sharing one history database.
source "$SRC/tests/fake_af3/e2e_lib.sh"
export FAKE_AF3_SECONDS=0.02
for side in left right; do
  mkdir -p "$WORK/$side"
  for i in 1 2 3 4; do make_job "$WORK/$side/$side$i.json" "$side$i" $((i * 40)); done
done
"$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/left" --output_dir="$WORK/out_left" --history_db="$DB" > "$WORK/left.out" 2>&1 &
left=$!
"$FOLDFIT" run --gpu=H100-80GB --input_dir="$WORK/right" --output_dir="$WORK/out_right" --history_db="$DB" > "$WORK/right.out" 2>&1 &
right=$!
rc_left=0; wait "$left" || rc_left=$?
rc_right=0; wait "$right" || rc_right=$?
[ "$rc_left$rc_right" = 00 ] || { cat "$WORK/left.out" "$WORK/right.out"; fail "exit codes $rc_left $rc_right"; }
"$FOLDFIT" history --history_db="$DB" --format=json --limit=100 > "$WORK/h.json"
[ "$(json_get 'sorted(r["input_name"] for r in d if r["outcome"] == "succeeded")' < "$WORK/h.json")" = \
  "['left1', 'left2', 'left3', 'left4', 'right1', 'right2', 'right3', 'right4']" ] || { cat "$WORK/h.json"; fail "history"; }
[ "$(json_get 'len(set(r["batch"] for r in d))' < "$WORK/h.json")" = 2 ] || fail "batches"
"$FOLDFIT" history --history_db="$DB" > "$WORK/h.txt"
expect_contains "$WORK/h.txt" "succeeded"
echo ok
