#!/usr/bin/env bash
# foldfit submit and foldfit status against stand-ins for sbatch and sacct (tests/fake_slurm):
# job ids recorded once, a failed sbatch part way, no duplicates on a second submit; outcomes
# joined from accounting and the history; --resubmit of an out-of-GPU-memory input onto the
# larger class and of a timed-out one with more time, once. tests/cli/slurm.sh does the same
# on a real Slurm cluster.
source "$SRC/tests/fake_af3/e2e_lib.sh"
export FAKE_SLURM_DIR=$WORK/slurm
mkdir -p "$FAKE_SLURM_DIR" "$WORK/in"
touch "$FAKE_SLURM_DIR/acct"
export PATH=$SRC/tests/fake_slurm:$PATH
# The fake GPU is as large as the card of the task's class: 40 GiB on the A100 class, the
# fake's 80 GB default elsewhere; FAKE_AF3_PAIR makes the 3000-residue input need more than
# the model expects, more than any configuration leaves on the A100, less than the H100's.
cat > "$WORK/af3" <<SH
#!/bin/sh
case "\$SLURM_JOB_NAME" in *a100*) export FAKE_GPU_MEMORY_BYTES=42949672960 ;; esac
exec python3 $SRC/tests/fake_af3/run_alphafold.py "\$@"
SH
chmod +x "$WORK/af3"
export FOLDFIT_AF3_COMMAND=$WORK/af3 FAKE_AF3_PAIR=6000
for n in 60 70; do make_job "$WORK/in/j$n.json" "j$n" "$n"; done
make_job "$WORK/in/big.json" big 3000
make_job "$WORK/in/slow.json" slow 300
cat > "$WORK/cluster.json" <<'JSON'
{"cpu_partition": {"name": "cpu", "cpus": 16, "mem_mb": 64000},
 "gpu_classes": [
  {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 2, "mem_mb": 256000, "cpus": 32, "time_limit": "12:00:00"},
  {"partition": "gpu", "gres_type": "h100", "gpus_per_node": 2, "mem_mb": 512000, "cpus": 32}]}
JSON
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/cluster.json" --plan_dir="$WORK/plan" \
  --output_dir="$WORK/out" > "$WORK/plan.txt" 2>&1 || { cat "$WORK/plan.txt"; fail "plan"; }
P=$WORK/plan
[ "$(json_get '[a["name"] for a in d["arrays"]]' < "$P/manifest.json")" = \
  "['data-gpu-a100-256', 'infer-gpu-a100-256', 'data-gpu-a100-512', 'infer-gpu-a100-512', 'data-gpu-a100-3072', 'infer-gpu-a100-3072']" ] \
  || fail "arrays: $(json_get '[a["name"] for a in d["arrays"]]' < "$P/manifest.json")"

# 1. Not yet submitted.
"$FOLDFIT" status "$P" --format=json > "$WORK/s0.json" || fail "status before submit"
[ "$(json_get 'd["counts"]["not-submitted"]' < "$WORK/s0.json")" = 4 ] || { cat "$WORK/s0.json"; fail "not submitted"; }

# 2. sbatch refuses the fifth script: four arrays are submitted and recorded, exit 1.
rc=0
FAKE_SBATCH_FAIL=data-gpu-a100-3072 FAKE_AF3_FAIL_NAME=slow "$FOLDFIT" submit "$P" > "$WORK/sub1" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/sub1"; fail "partial submit: exit $rc"; }
expect_contains "$WORK/sub1" "Invalid account or account/partition combination specified"
expect_contains "$WORK/sub1" "submitted data-gpu-a100-256: job 100 (1 tasks)"
expect_contains "$WORK/sub1" "submitted infer-gpu-a100-256: job 101 (1 tasks), --dependency=aftercorr:100"
expect_contains "$WORK/sub1" "4 of 6 arrays submitted (4 now, 0 before)"
[ "$(json_get '[(a["name"], a["job_id"], a["dependency"]) for a in d["arrays"]]' < "$P/submitted.json")" = \
  "[('data-gpu-a100-256', '100', ''), ('infer-gpu-a100-256', '101', 'aftercorr:100'), ('data-gpu-a100-512', '102', ''), ('infer-gpu-a100-512', '103', 'aftercorr:102')]" ] \
  || { cat "$P/submitted.json"; fail "record after a partial submit"; }

# 3. Again: only the two missing arrays go; a third submit sends nothing.
"$FOLDFIT" submit "$P" > "$WORK/sub2" 2>&1 || { cat "$WORK/sub2"; fail "second submit"; }
expect_contains "$WORK/sub2" "skipped data-gpu-a100-256: already submitted as job 100"
expect_contains "$WORK/sub2" "submitted infer-gpu-a100-3072: job 105 (1 tasks), --dependency=aftercorr:104"
expect_contains "$WORK/sub2" "6 of 6 arrays submitted (2 now, 4 before)"
"$FOLDFIT" submit --plan_dir="$P" --format=json > "$WORK/sub3.json" || fail "third submit"
[ "$(json_get '(len(d["submitted"]), len(d["already_submitted"]))' < "$WORK/sub3.json")" = "(0, 6)" ] || fail "third submit sent something"
[ "$(grep -c . "$FAKE_SLURM_DIR/calls")" = 7 ] || { cat "$FAKE_SLURM_DIR/calls"; fail "sbatch calls"; }  # 5 + the refused one + 1

# 4. Outcomes: the small ones done; big out of GPU memory on every configuration on the A100;
#    slow failed (its AlphaFold 3 raised) - and, as accounting will say once its task is
#    made to have run out of time, timed out.
"$FOLDFIT" status "$P" --format=json > "$WORK/s1.json" || fail "status"
[ "$(json_get '{i["input"]: i["outcome"] for i in d["inputs"]}' < "$WORK/s1.json")" = \
  "{'big': 'out-of-memory', 'j60': 'done', 'j70': 'done', 'slow': 'failed'}" ] || { cat "$WORK/s1.json"; fail "outcomes"; }
[ "$(json_get '[(i["resubmit"], i["job"], i["slurm_state"]) for i in d["inputs"] if i["input"] == "big"][0]' < "$WORK/s1.json")" = \
  "('gpu_memory', '105_0', 'FAILED')" ] || fail "big's status"
json_get '[i["detail"] for i in d["inputs"] if i["input"] == "slow"][0]' < "$WORK/s1.json" | grep -q "fake AlphaFold 3 failure" \
  || fail "slow's failure from the history"
# Its node failed, then (as if requeued and run again) it timed out.
sed -i 's/^103_0|FAILED|1:0|00:00:01$/103_0|NODE_FAIL|0:0|00:10:00/' "$FAKE_SLURM_DIR/acct"
"$FOLDFIT" status "$P" --format=json > "$WORK/s1b.json" || fail "status (node failure)"
[ "$(json_get '[(i["outcome"], i["resubmit"], i["detail"]) for i in d["inputs"] if i["input"] == "slow"][0]' < "$WORK/s1b.json")" = \
  "('failed', 'again', 'inference task ended NODE_FAIL: its node failed, not the input')" ] || { cat "$WORK/s1b.json"; fail "slow's node failure"; }
sed -i 's/^103_0|NODE_FAIL|0:0|00:10:00$/103_0|TIMEOUT|0:0|00:45:00/' "$FAKE_SLURM_DIR/acct"
"$FOLDFIT" status "$P" > "$WORK/s2.txt" || fail "status text"
expect_contains "$WORK/s2.txt" "4 inputs: 2 done, 1 out-of-memory, 1 timeout"
expect_contains "$WORK/s2.txt" "inference task reached its --time (00:45:00 elapsed)"

# 5. --resubmit; sbatch refuses the second resubmitted inference array: the round is kept
#    and a second --resubmit submits the rest of it, not a new round.
rc=0
FAKE_SBATCH_FAIL=resubmit-1/infer-gpu-a100-512 "$FOLDFIT" status "$P" --resubmit > "$WORK/r1" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/r1"; fail "resubmit with a refused array: exit $rc"; }
expect_contains "$WORK/r1" "resubmitting big: out-of-memory: gpu/a100 (A100-40GB) -> gpu/h100 (H100-80GB)"
expect_contains "$WORK/r1" "resubmitting slow: timeout: one input per task, twice the --time"
"$FOLDFIT" status "$P" --resubmit > "$WORK/r2" 2>&1 || { cat "$WORK/r2"; fail "finishing the resubmission"; }
expect_contains "$WORK/r2" "was written but not wholly submitted: submitting it"
[ ! -e "$P/resubmit-2" ] || fail "a second round"
R=$P/resubmit-1
[ "$(json_get '[(a["name"], a["class"] if "class" in a else None) for a in d["arrays"]]' < "$R/manifest.json")" = \
  "[('data-gpu-h100-3072-gpumem', None), ('infer-gpu-h100-3072-gpumem', 'gpu/h100'), ('data-gpu-a100-512-time', None), ('infer-gpu-a100-512-time', 'gpu/a100')]" ] \
  || { json_get '[a["name"] for a in d["arrays"]]' < "$R/manifest.json"; fail "resubmitted arrays"; }
old=$(json_get '[a["time"] for a in d["arrays"] if a["name"] == "infer-gpu-a100-512"][0]' < "$P/manifest.json")
new=$(json_get '[a["time"] for a in d["arrays"] if a["name"] == "infer-gpu-a100-512-time"][0]' < "$R/manifest.json")
python3 - "$old" "$new" <<'PY' || fail "time $old -> $new"
import sys
def sec(t):
    d, _, hms = t.rpartition("-")
    h, m, s = map(int, hms.split(":"))
    return int(d or 0) * 86400 + h * 3600 + m * 60 + s
assert sec(sys.argv[2]) == 2 * sec(sys.argv[1]), sys.argv
PY
grep -q "#SBATCH --gres=gpu:h100:1" "$R/infer-gpu-h100-3072-gpumem.sbatch" || fail "gres of the resubmission"

# 6. Everything done now; a further --resubmit sends nothing.
"$FOLDFIT" status "$P" --format=json > "$WORK/s3.json" || fail "status after resubmission"
[ "$(json_get '{i["input"]: (i["outcome"], i["round"], i["class"]) for i in d["inputs"]}' < "$WORK/s3.json")" = \
  "{'big': ('done', 1, 'gpu/h100'), 'j60': ('done', 0, 'gpu/a100'), 'j70': ('done', 0, 'gpu/a100'), 'slow': ('done', 1, 'gpu/a100')}" ] \
  || { cat "$WORK/s3.json"; fail "final outcomes"; }
calls=$(grep -c . "$FAKE_SLURM_DIR/calls")
"$FOLDFIT" status "$P" --resubmit > "$WORK/r3" || fail "third resubmit"
expect_contains "$WORK/r3" "nothing to resubmit"
[ "$(grep -c . "$FAKE_SLURM_DIR/calls")" = "$calls" ] || fail "the third --resubmit called sbatch"
[ ! -e "$P/resubmit-2" ] || fail "a second round"

# 7. Errors: sacct failing, not a plan folder, no folder given.
rc=0
FAKE_SACCT_FAIL=1 "$FOLDFIT" status "$P" > "$WORK/e1" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$WORK/e1"; fail "sacct failure: exit $rc"; }
expect_contains "$WORK/e1" "sacct failed (exit status 1): sacct: error: Slurm accounting storage is disabled"
rc=0
"$FOLDFIT" submit "$WORK/in" > "$WORK/e2" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "not a plan folder: exit $rc"
expect_contains "$WORK/e2" "not a plan folder (no manifest.json"
rc=0
"$FOLDFIT" status > "$WORK/e3" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "no plan folder: exit $rc"
printf '{"format": "foldfit-campaign", "arrays": [' > "$WORK/in/manifest.json"
rc=0
"$FOLDFIT" submit "$WORK/in" > "$WORK/e4" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "broken manifest: exit $rc"
expect_contains "$WORK/e4" "manifest.json:1:"
echo ok
