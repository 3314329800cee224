#!/usr/bin/env bash
# foldfit plan, submit and status on a real Slurm cluster: tests/slurm/cluster.sh starts one
# on this machine (munged, MariaDB, slurmdbd, slurmctld, slurmd; counted GPUs gpu:a100:2 and
# gpu:h100:2, no GPU needed) in a private folder, and stops it at the end. A small campaign
# with the fake AlphaFold 3 runs through it: the cluster as sinfo and scontrol describe it,
# real job ids and array tasks, aftercorr dependencies, sacct's accounting joined into
# foldfit status, an input out of GPU memory on the A100 class resubmitted onto the H100 class,
# one that Slurm stopped at its --time resubmitted with twice the time, and one cancelled
# with scancel mid-run (its AlphaFold 3 gone with it) resubmitted as planned.
# tests/cli/submit.sh covers the same commands, and their failure paths, with stand-ins.
#
# Skipped (exit 77) when Slurm, munge or MariaDB is not installed or we are not root; with
# FOLDFIT_REQUIRE_SLURM=1 (scripts/test.sh) that is a failure instead.
set -euo pipefail
cluster_sh=$SRC/tests/slurm/cluster.sh
rc=0
bash "$cluster_sh" check || rc=$?
if [ "$rc" != 0 ]; then
  if [ "${FOLDFIT_REQUIRE_SLURM:-0}" = 1 ]; then
    echo "FAIL: FOLDFIT_REQUIRE_SLURM=1 but the test cluster cannot be started here (above)" >&2
    exit 1
  fi
  echo "SKIP: a real Slurm cluster cannot be started here (above); FOLDFIT_REQUIRE_SLURM=1 makes this a failure" >&2
  exit 77
fi

source "$SRC/tests/fake_af3/e2e_lib.sh"
CL=$WORK/cluster
trap 'bash "$cluster_sh" stop "$CL"; rm -rf "$WORK"' EXIT
# The watchdog (this shell's pid) stops the cluster should this test be killed outright.
bash "$cluster_sh" start "$CL" $$ || fail "the test cluster did not start"
source "$CL/env"
cpus=$(cat "$CL/node_cpus") mem_mb=$(cat "$CL/node_mem_mb") host=$(hostname -s)

# task_of INPUT [PLAN]: the inference array task that holds INPUT in the plan's manifest.
task_of() { json_get "[i['inference']['task'] for i in d['inputs'] if i['name'] == '$1'][0]" < "${2:-$P}/manifest.json"; }
# job_of ARRAY [PLAN]: the job id that submit recorded for ARRAY.
job_of() { json_get "[a['job_id'] for a in d['arrays'] if a['name'] == '$1'][0]" < "${2:-$P}/submitted.json"; }

# wait_for_jobs SECONDS: until squeue lists nothing and sacct has every task of the plan's
# recorded jobs (and its resubmissions') in a final state.
wait_for_jobs() {
  local end=$((SECONDS + $1)) ids
  while :; do
    ids=$(python3 -c '
import glob, json, sys
files = [sys.argv[1] + "/submitted.json"] + glob.glob(sys.argv[1] + "/resubmit-*/submitted.json")
print(",".join(a["job_id"] for f in files for a in json.load(open(f))["arrays"]))' "$P")
    if [ -z "$(squeue -h -o %i)" ] &&
      ! sacct -n -X -P -j "$ids" --format=State | grep -qE '^(PENDING|RUNNING|REQUEUED|COMPLETING|CONFIGURING|SUSPENDED)'; then
      return 0
    fi
    if ((SECONDS >= end)); then
      squeue -o '%i %j %T %r' >&2 || true
      sacct -X -P -j "$ids" --format=JobID,JobName,State,ExitCode,Reason >&2 || true
      fail "jobs not finished within $1 s"
    fi
    sleep 1
  done
}

# 1. foldfit plan asks Slurm itself: the node's CPUs, RealMemory and Gres as slurmd
#    registered them, both partitions, their time limits.
mkdir -p "$WORK/in"
make_job "$WORK/in/j60.json" j60 60
"$FOLDFIT" plan --input_dir="$WORK/in" --gpu_map=a100=A100-40GB --plan_dir="$WORK/asked" --output_dir="$WORK/asked-out" \
  > "$WORK/asked.txt" 2>&1 || { cat "$WORK/asked.txt"; fail "plan from sinfo and scontrol"; }
[ "$(json_get '[(g["partition"], g["gres_type"], g["gpu"], g["gpus_per_node"], g["cpus"], g["mem_mb"], g["nodes"], g["time_limit"]) for g in d["gpu_classes"]]' < "$WORK/asked/cluster.json")" = \
  "[('cpu', 'a100', 'A100-40GB', 2, $cpus, $mem_mb, 1, '1-00:00:00'), ('gpu', 'a100', 'A100-40GB', 2, $cpus, $mem_mb, 1, '1-00:00:00'), ('cpu', 'h100', 'H100-80GB', 2, $cpus, $mem_mb, 1, '1-00:00:00'), ('gpu', 'h100', 'H100-80GB', 2, $cpus, $mem_mb, 1, '1-00:00:00')]" ] \
  || { cat "$WORK/asked/cluster.json"; fail "the cluster as foldfit read it from Slurm"; }

# 2. The campaign, on a cluster file that names the data partition: two small inputs (one
#    per task: a two-task array) on the A100 class, one that runs out of GPU memory there,
#    one whose AlphaFold 3 outlasts its task's --time (one minute: --compile_minutes=0) in
#    the first round, one that runs until it is cancelled.
#    AlphaFold 3's GPU is as large as the card Slurm allocated to the task (scontrol's GRES
#    of the job): 40 GiB on an a100, the fake's 80 GB on an h100; FAKE_AF3_PAIR makes the
#    3000-residue input need more than any configuration leaves on the A100, less than the
#    H100's. Each run appends its job, array task and allocated GPU type to $WORK/gres.
cat > "$WORK/af3" <<SH
#!/bin/sh
gres=\$(scontrol show job -d "\$SLURM_JOB_ID" | sed -n 's/.* GRES=gpu:\([a-z0-9]*\):.*/\1/p' | head -n 1)
echo "\$SLURM_JOB_NAME \${SLURM_ARRAY_JOB_ID}_\$SLURM_ARRAY_TASK_ID \${gres:-none}" >> $WORK/gres
case "\$gres" in a100) export FAKE_GPU_MEMORY_BYTES=42949672960 ;; esac
case "\$SLURM_JOB_NAME" in foldfit-infer-gpu-a100-512) export FAKE_AF3_SECONDS=600 ;; esac
case "\$SLURM_JOB_NAME \$*" in
  "foldfit-infer-gpu-a100-256 "*cancelme*) export FAKE_AF3_SECONDS=600; echo "\${SLURM_ARRAY_JOB_ID}_\$SLURM_ARRAY_TASK_ID" > $WORK/cancelme.running ;;
esac
case " \$* " in *" --norun_data_pipeline "*) [ -n "\$gres" ] || { echo "no GPU allocated to this task" >&2; exit 1; } ;; esac
exec python3 $SRC/tests/fake_af3/run_alphafold.py "\$@"
SH
chmod +x "$WORK/af3"
export FOLDFIT_AF3_COMMAND=$WORK/af3 FAKE_AF3_PAIR=6000
make_job "$WORK/in/j70.json" j70 70
make_job "$WORK/in/big.json" big 3000
make_job "$WORK/in/slow.json" slow 300
make_job "$WORK/in/cancelme.json" cancelme 80
cat > "$WORK/cluster.json" <<JSON
{"cpu_partition": {"name": "cpu", "cpus": $cpus, "mem_mb": $mem_mb, "time_limit": "1-00:00:00"},
 "gpu_classes": [
  {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 2, "mem_mb": $mem_mb, "cpus": $cpus, "time_limit": "1-00:00:00"},
  {"partition": "gpu", "gres_type": "h100", "gpus_per_node": 2, "mem_mb": $mem_mb, "cpus": $cpus, "time_limit": "1-00:00:00"}]}
JSON
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/cluster.json" --plan_dir="$WORK/plan" --output_dir="$WORK/out" \
  --af3_release=v3.0.4 --inputs_per_task=1 --data_pipeline_cpus=1 --data_pipeline_mem_gb=1 --inference_mem_gb=1 --compile_minutes=0 \
  > "$WORK/plan.txt" 2>&1 || { cat "$WORK/plan.txt"; fail "plan"; }
P=$WORK/plan
[ "$(json_get '[(a["name"], a["tasks"]) for a in d["arrays"]]' < "$P/manifest.json")" = \
  "[('data-gpu-a100-256', 3), ('infer-gpu-a100-256', 3), ('data-gpu-a100-512', 1), ('infer-gpu-a100-512', 1), ('data-gpu-a100-3072', 1), ('infer-gpu-a100-3072', 1)]" ] \
  || fail "arrays: $(json_get '[(a["name"], a["tasks"]) for a in d["arrays"]]' < "$P/manifest.json")"
[ "$(json_get '[a["time"] for a in d["arrays"] if a["name"] == "infer-gpu-a100-512"][0]' < "$P/manifest.json")" = 00:01:00 ] \
  || fail "--time of infer-gpu-a100-512"
grep -q "^#SBATCH --gres=gpu:a100:1$" "$P/infer-gpu-a100-256.sbatch" || fail "gres of the A100 array"

# 3. foldfit submit: sbatch's real job ids, the inference arrays after their data arrays.
"$FOLDFIT" submit "$P" > "$WORK/sub1" 2>&1 || { cat "$WORK/sub1"; fail "submit"; }
expect_contains "$WORK/sub1" "6 of 6 arrays submitted (6 now, 0 before)"
read -r d256 i256 d512 i512 d3072 i3072 <<< "$(json_get '" ".join(a["job_id"] for a in d["arrays"])' < "$P/submitted.json")"
[ "$(json_get '[(a["name"], a["dependency"]) for a in d["arrays"]]' < "$P/submitted.json")" = \
  "[('data-gpu-a100-256', ''), ('infer-gpu-a100-256', 'aftercorr:$d256'), ('data-gpu-a100-512', ''), ('infer-gpu-a100-512', 'aftercorr:$d512'), ('data-gpu-a100-3072', ''), ('infer-gpu-a100-3072', 'aftercorr:$d3072')]" ] \
  || { cat "$P/submitted.json"; fail "the record of the submission"; }
for id in $d256 $i256 $d512 $i512 $d3072 $i3072; do [[ "$id" =~ ^[0-9]+$ ]] || fail "job id '$id'"; done
# A second submit sends nothing.
"$FOLDFIT" submit "$P" > "$WORK/sub2" 2>&1 || { cat "$WORK/sub2"; fail "second submit"; }
expect_contains "$WORK/sub2" "6 of 6 arrays submitted (0 now, 6 before)"
"$FOLDFIT" status "$P" > "$WORK/s0.txt" || { cat "$WORK/s0.txt"; fail "status while the jobs run"; }
# cancelme's AlphaFold 3 runs (its task has a GPU and its fake AlphaFold 3 has started):
# scancel its task; within KillWait both its foldfit run and its AlphaFold 3 are gone.
end=$((SECONDS + 180))
until [ -s "$WORK/cancelme.running" ] && pgrep -f "run_alphafold.py.*cancelme" > /dev/null; do
  ((SECONDS < end)) || { squeue >&2; fail "cancelme's AlphaFold 3 did not start"; }
  sleep 0.5
done
cancel_task=$(cat "$WORK/cancelme.running")
[ "$(json_get '[i["job"] for i in d["inputs"] if i["input"] == "cancelme"][0]' < <("$FOLDFIT" status "$P" --format=json))" = "$cancel_task" ] \
  || fail "status names another task for cancelme than the one that runs it ($cancel_task)"
scancel "$cancel_task"
end=$((SECONDS + 30))
while pgrep -f "run_alphafold.py.*cancelme" > /dev/null || pgrep -f "foldfit run.*cancelme" > /dev/null; do
  ((SECONDS < end)) || { pgrep -af cancelme >&2; fail "cancelme's foldfit run or AlphaFold 3 outlived scancel"; }
  sleep 0.5
done
wait_for_jobs 240

# 4. Outcomes joined from sacct, the outputs and the history: the small ones done on the
#    A100 class, each in its own array task; big out of GPU memory on every configuration
#    there, its inference task FAILED; slow's inference task TIMEOUT.
"$FOLDFIT" status "$P" --format=json > "$WORK/s1.json" || { cat "$WORK/s1.json"; fail "status"; }
[ "$(json_get '{i["input"]: (i["outcome"], i["class"], i["half"], i["job"], i["slurm_state"], i["resubmit"]) for i in d["inputs"]}' < "$WORK/s1.json")" = \
  "{'big': ('out-of-memory', 'gpu/a100', 'inference', '${i3072}_0', 'FAILED', 'gpu_memory'), 'cancelme': ('cancelled', 'gpu/a100', 'inference', '$cancel_task', 'CANCELLED', 'again'), 'j60': ('done', 'gpu/a100', 'inference', '${i256}_$(task_of j60)', 'COMPLETED', None), 'j70': ('done', 'gpu/a100', 'inference', '${i256}_$(task_of j70)', 'COMPLETED', None), 'slow': ('timeout', 'gpu/a100', 'inference', '${i512}_0', 'TIMEOUT', 'time')}" ] \
  || { cat "$WORK/s1.json"; cat "$P"/logs/* >&2; fail "outcomes"; }
[ "$(json_get 'd["counts"]' < "$WORK/s1.json")" = \
  "{'done': 2, 'running': 0, 'pending': 0, 'failed': 0, 'out-of-memory': 1, 'timeout': 1, 'cancelled': 1, 'not-submitted': 0}" ] || fail "counts"
json_get '[i["detail"] for i in d["inputs"] if i["input"] == "big"][0]' < "$WORK/s1.json" | grep -q "out of GPU memory on A100-40GB" \
  || fail "big's detail"
json_get '[i["elapsed"] for i in d["inputs"]]' < "$WORK/s1.json" | grep -qE "^\['[0-9:-]+'(, '[0-9:-]+'){4}\]$" \
  || fail "elapsed times from sacct: $(json_get '[i["elapsed"] for i in d["inputs"]]' < "$WORK/s1.json")"
log=$(json_get '[i["log"] for i in d["inputs"] if i["input"] == "big"][0]' < "$WORK/s1.json")
[ "$log" = "$P/logs/infer-gpu-a100-3072-${i3072}_0.out" ] && [ -s "$log" ] || fail "big's log $log"
"$FOLDFIT" status "$P" > "$WORK/s1.txt" || fail "status text"
expect_contains "$WORK/s1.txt" "5 inputs: 2 done, 1 out-of-memory, 1 timeout, 1 cancelled"
expect_contains "$WORK/s1.txt" "inference task cancelled"
expect_contains "$WORK/s1.txt" "inference task reached its --time"
# Where Slurm ran them: the data tasks on partition cpu without a GPU, the inference tasks
# on partition gpu with one a100 each (sacct's AllocTRES, and what each task saw).
sacct -n -X -P -j "$d256,$i256,$d512,$i512,$d3072,$i3072" --format=JobID,Partition,AllocTRES,State > "$WORK/acct1"
grep -q "^${d256}_2|cpu|" "$WORK/acct1" || { cat "$WORK/acct1"; fail "data task on partition cpu"; }
grep "^${d256}_" "$WORK/acct1" | grep -q "gres/gpu" && { cat "$WORK/acct1"; fail "a GPU given to a data task"; }
for t in "${i256}_0" "${i256}_1" "${i256}_2" "${i512}_0" "${i3072}_0"; do
  grep "^$t|gpu|" "$WORK/acct1" | grep -q "gres/gpu:a100=1" || { cat "$WORK/acct1"; fail "$t's allocation"; }
done
# aftercorr as Slurm applied it: each inference task started once its data task had ended.
sacct -n -X -P -j "$d256,$i256,$d512,$i512,$d3072,$i3072" --format=JobID,Start,End > "$WORK/times1"
python3 - "$WORK/times1" "$d256:$i256" "$d512:$i512" "$d3072:$i3072" <<'PY' || { cat "$WORK/times1"; fail "an inference task before its data task"; }
import sys
t = {l.split("|")[0]: l.strip().split("|")[1:] for l in open(sys.argv[1]) if l.strip()}
for pair in sys.argv[2:]:
    d, i = pair.split(":")
    for task in range(3):
        if f"{i}_{task}" in t:
            assert t[f"{i}_{task}"][0] >= t[f"{d}_{task}"][1], (pair, task, t)
PY
for t in "${d256}_0" "${d256}_1" "${d256}_2" "${d512}_0" "${d3072}_0"; do
  grep -q "^foldfit-data-gpu-a100-[0-9]* $t none$" "$WORK/gres" || { cat "$WORK/gres"; fail "the data task $t ran without a GPU"; }
done
for t in "${i256}_0" "${i256}_1" "${i256}_2" "${i512}_0" "${i3072}_0"; do
  grep -q "^foldfit-infer-gpu-a100-[0-9]* $t a100$" "$WORK/gres" || { cat "$WORK/gres"; fail "$t ran on an a100"; }
done

# 5. --resubmit: big onto the H100 class, slow with twice the --time, cancelme again as
#    planned (its data JSON is kept: its data task redoes nothing), a new round with its
#    own job ids; then all done.
"$FOLDFIT" status "$P" --resubmit > "$WORK/r1" 2>&1 || { cat "$WORK/r1"; fail "resubmit"; }
expect_contains "$WORK/r1" "resubmitting big: out-of-memory: gpu/a100 (A100-40GB) -> gpu/h100 (H100-80GB)"
expect_contains "$WORK/r1" "resubmitting slow: timeout: one input per task, twice the --time"
expect_contains "$WORK/r1" "resubmitting cancelme: cancelled: again, as planned"
expect_contains "$WORK/r1" "6 of 6 arrays submitted (6 now, 0 before)"
R=$P/resubmit-1
grep -q "^#SBATCH --gres=gpu:h100:1$" "$R/infer-gpu-h100-3072-gpumem.sbatch" || fail "gres of the resubmission"
[ "$(json_get '[(a["name"], a["class"], a["time"] if a["name"].endswith("-time") else "") for a in d["arrays"] if a["kind"] == "inference"]' < "$R/manifest.json")" = \
  "[('infer-gpu-a100-256-again', 'gpu/a100', ''), ('infer-gpu-h100-3072-gpumem', 'gpu/h100', ''), ('infer-gpu-a100-512-time', 'gpu/a100', '00:02:00')]" ] \
  || { cat "$R/manifest.json"; fail "the resubmitted inference arrays"; }
ra=$(job_of infer-gpu-a100-256-again "$R") ri=$(job_of infer-gpu-h100-3072-gpumem "$R") rit=$(job_of infer-gpu-a100-512-time "$R")
# A second --resubmit while it runs finds them pending or running, and sends nothing.
"$FOLDFIT" status "$P" --resubmit > "$WORK/r2" 2>&1 || { cat "$WORK/r2"; fail "second resubmit"; }
expect_contains "$WORK/r2" "nothing to resubmit"
wait_for_jobs 240
"$FOLDFIT" status "$P" --format=json > "$WORK/s2.json" || { cat "$WORK/s2.json"; fail "status after the resubmission"; }
[ "$(json_get '{i["input"]: (i["outcome"], i["round"], i["class"], i["job"], i["slurm_state"]) for i in d["inputs"]}' < "$WORK/s2.json")" = \
  "{'big': ('done', 1, 'gpu/h100', '${ri}_0', 'COMPLETED'), 'cancelme': ('done', 1, 'gpu/a100', '${ra}_0', 'COMPLETED'), 'j60': ('done', 0, 'gpu/a100', '${i256}_$(task_of j60)', 'COMPLETED'), 'j70': ('done', 0, 'gpu/a100', '${i256}_$(task_of j70)', 'COMPLETED'), 'slow': ('done', 1, 'gpu/a100', '${rit}_0', 'COMPLETED')}" ] \
  || { cat "$WORK/s2.json"; cat "$R"/logs/* >&2; fail "final outcomes"; }
sacct -n -X -P -j "$ri" --format=JobID,Partition,AllocTRES,State > "$WORK/acct2"
grep "^${ri}_0|gpu|" "$WORK/acct2" | grep "gres/gpu:h100=1" | grep -q "|COMPLETED$" || { cat "$WORK/acct2"; fail "big's allocation"; }
grep -q "^foldfit-infer-gpu-h100-3072-gpumem ${ri}_0 h100$" "$WORK/gres" || { cat "$WORK/gres"; fail "big ran on an h100"; }
# The cancelled attempt is in the history, and the resumed one after it.
"$FOLDFIT" history --history_db="$(json_get 'd["history_db"]' < "$P/manifest.json")" --input=cancelme --format=json \
  > "$WORK/hist.json" 2> "$WORK/hist.err" || { cat "$WORK/hist.err"; fail "history"; }
# (Slurm's SIGTERM reaches AlphaFold 3 itself or the shell before it: either is an
# interruption by signal 15.)
[ "$(json_get '[(r["outcome"], r["message"].split(";")[0]) for r in d if r["input_path"].endswith("_data.json")]' < "$WORK/hist.json")" = \
  "[('succeeded', ''), ('interrupted', 'interrupted by signal 15')]" ] \
  || { cat "$WORK/hist.json"; fail "cancelme's inference attempts in the history"; }
"$FOLDFIT" status "$P" --resubmit > "$WORK/r3" 2>&1 || { cat "$WORK/r3"; fail "third resubmit"; }
expect_contains "$WORK/r3" "nothing to resubmit"
[ ! -e "$P/resubmit-2" ] || fail "a second round"
echo ok
