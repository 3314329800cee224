#!/usr/bin/env bash
# foldfit plan: inputs on the cheapest GPU class that fits, job arrays, a plan folder written atomically.
source "$SRC/tests/fake_af3/e2e_lib.sh"
mkdir -p "$WORK/in"
for n in 60 70 300 5000 9000; do make_job "$WORK/in/j$n.json" "j$n" "$n"; done
cat > "$WORK/cluster.json" <<'JSON'
{
  "gres_template": "gpu:{type}:1",
  "cpu_partition": {"name": "cpu", "cpus": 16, "mem_mb": 64000, "time_limit": "1-00:00:00"},
  "gpu_classes": [
    {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 2, "mem_mb": 256000, "cpus": 32,
     "time_limit": "12:00:00"},
    {"partition": "gpu", "gres_type": "h100", "gpus_per_node": 2, "mem_mb": 512000, "cpus": 32}
  ]
}
JSON

# 1. From the cluster file: placements, arrays, summary; 11 because one input fits nowhere.
rc=0
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/cluster.json" --plan_dir="$WORK/plan" \
  --output_dir="$WORK/out" --model_dir=/models > "$WORK/p1" 2>&1 || rc=$?
[ "$rc" = 11 ] || { cat "$WORK/p1"; fail "exit code $rc"; }
expect_contains "$WORK/p1" "5 inputs: 4 placed, 1 fit nowhere"
expect_contains "$WORK/p1" "fits nowhere: j9000"
for f in data-gpu-a100-128.sbatch infer-gpu-a100-128.sbatch infer-gpu-a100-384.sbatch infer-gpu-h100-5120.sbatch manifest.json \
         summary.json summary.txt cluster.json lists/data-gpu-a100-128.tsv lists/infer-gpu-a100-128.tsv; do
  test -f "$WORK/plan/$f" || fail "missing $f"
done
m=$WORK/plan/manifest.json
[ "$(json_get '{i["name"]: i["class"] for i in d["inputs"]}' < "$m")" = \
  "{'j300': 'gpu/a100', 'j5000': 'gpu/h100', 'j60': 'gpu/a100', 'j70': 'gpu/a100', 'j9000': None}" ] || fail "placements"
# The two small inputs share a bucket: one task, one compile.
[ "$(json_get '[i["inference"] for i in d["inputs"] if i["name"] in ("j60", "j70")]' < "$m")" = \
  "[{'array': 'infer-gpu-a100-128', 'task': 0}, {'array': 'infer-gpu-a100-128', 'task': 0}]" ] || fail "grouping"
[ "$(json_get 'd["compiles_saved"]' < "$WORK/plan/summary.json")" = 1 ] || fail "compiles saved"
# j5000 was passed over on the A100 with why; its plan is estimate's for the H100.
expect_contains "$m" "passed over: gpu/a100 (A100-40GB): cannot fit"
"$FOLDFIT" estimate --json_path="$WORK/in/j5000.json" --gpu=H100-80GB --host_ram_gb=536.870912 --format=json > "$WORK/e.json" || true
[ "$(json_get 'd["estimate"]["total_bytes"]' < "$WORK/e.json")" = \
  "$(json_get '[i["expected_peak"] for i in d["inputs"] if i["name"] == "j5000"][0]' < "$m")" ] || fail "plan differs from estimate's"
s=$WORK/plan/infer-gpu-a100-128.sbatch
expect_contains "$s" "#SBATCH --partition=gpu"
expect_contains "$s" "#SBATCH --gres=gpu:a100:1"
expect_contains "$s" "#SBATCH --array=0-0"
expect_contains "$s" "--norun_data_pipeline"
expect_contains "$s" "--jax_compilation_cache_dir='$WORK/out/.jax_cache/A100-40GB'"
expect_contains "$s" "'--model_dir=/models'"
d=$WORK/plan/data-gpu-a100-128.sbatch
expect_contains "$d" "#SBATCH --partition=cpu"
expect_contains "$d" "--norun_inference"
[ "$(json_get '[(a["name"], a.get("depends_on"), a.get("dependency")) for a in d["arrays"]][:2]' < "$m")" = \
  "[('data-gpu-a100-128', None, None), ('infer-gpu-a100-128', 'data-gpu-a100-128', 'aftercorr')]" ] || fail "dependencies"
bash -n "$s" && bash -n "$d" || fail "script syntax"
# A task's share of the inputs, as the script selects it.
[ "$(SLURM_ARRAY_TASK_ID=0 awk -F'\t' -v t=0 '$1 == t { print $2 }' "$WORK/plan/lists/infer-gpu-a100-128.tsv")" = \
  "$(printf '%s\n' "$WORK/out/j60/j60_data.json" "$WORK/out/j70/j70_data.json")" ] || fail "task list"

# 2. An existing plan folder is refused without --force, replaced with it.
rc=0
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/cluster.json" --plan_dir="$WORK/plan" --output_dir="$WORK/out" \
  > "$WORK/p2" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "existing plan folder: exit $rc"
expect_contains "$WORK/p2" "exists; give --force"
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/cluster.json" --plan_dir="$WORK/plan" --output_dir="$WORK/out" \
  --force --format=json --gpu_cost=h100=1 > "$WORK/p3.json" 2>&1 || true
[ "$(json_get 'd["classes"][0]["class"]' < "$WORK/p3.json")" = gpu/h100 ] || { cat "$WORK/p3.json"; fail "cost order"; }
[ -z "$(ls -A "$WORK" | grep '^\.plan')" ] || fail "temporary folders left behind"

# 3. An invalid input: exit 2, nothing written.
printf '{"name": "x", "sequences": [' > "$WORK/in/bad.json"
rc=0
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/cluster.json" --plan_dir="$WORK/plan2" --output_dir="$WORK/out" \
  > "$WORK/p4" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "invalid input: exit $rc"
expect_contains "$WORK/p4" "bad.json:1:"
[ ! -e "$WORK/plan2" ] || fail "a plan was written despite an invalid input"
rm "$WORK/in/bad.json"

# 4. A bad cluster file names file:line:column and JSON path.
printf '{"gpu_classes": [{"partition": "gpu", "gres_type": "a100", "gpus_per_node": 1, "mem_mb": 1, "cpus": 1}]}' > "$WORK/c2.json"
rc=0
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/c2.json" --plan_dir="$WORK/plan2" --output_dir="$WORK/out" \
  > "$WORK/p5" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "bad cluster file: exit $rc"
expect_contains "$WORK/p5" "c2.json:1:18: gpu_classes[0]:"
expect_contains "$WORK/p5" "--gpu_map=a100"

# 5. From Slurm (sinfo and scontrol as Slurm prints them) and an input list.
mkdir -p "$WORK/bin"
cat > "$WORK/bin/sinfo" <<'SH'
#!/bin/sh
printf 'cpu|1-00:00:00\ngpu|2-00:00:00\n'
SH
cat > "$WORK/bin/scontrol" <<'SH'
#!/bin/sh
echo "NodeName=c1 CPUTot=16 Gres=(null) RealMemory=64000 OS=Linux 6.1 #1 SMP Partitions=cpu State=IDLE"
echo "NodeName=g1 CPUTot=32 Gres=gpu:a100:2(S:0),gpu:h100:2 RealMemory=256000 Partitions=gpu State=IDLE"
SH
chmod +x "$WORK/bin/sinfo" "$WORK/bin/scontrol"
printf '# inputs\nin/j60.json\n%s\n' "$WORK/in/j5000.json" > "$WORK/list.txt"
PATH=$WORK/bin:$PATH "$FOLDFIT" plan --input_list="$WORK/list.txt" --gpu_map=a100=A100-40GB --plan_dir="$WORK/plan3" \
  --output_dir="$WORK/out" --format=json > "$WORK/p6.json" || { cat "$WORK/p6.json"; fail "plan from Slurm"; }
[ "$(json_get '[(k["class"], k["inputs"]) for k in d["classes"]]' < "$WORK/p6.json")" = "[('gpu/a100', 1), ('gpu/h100', 1)]" ] \
  || { cat "$WORK/p6.json"; fail "classes from Slurm"; }
expect_contains "$WORK/plan3/data-gpu-a100-128.sbatch" "#SBATCH --partition=cpu"

# 6. The scripts run as Slurm would run their tasks (SLURM_ARRAY_TASK_ID), with the fake
#    AlphaFold 3: the data task writes the data JSONs only, the inference task reads them.
rm -rf "$WORK/out"
"$FOLDFIT" plan --input_dir="$WORK/in" --cluster_file="$WORK/cluster.json" --plan_dir="$WORK/plan4" --output_dir="$WORK/out" \
  > /dev/null || true
SLURM_ARRAY_TASK_ID=0 bash "$WORK/plan4/data-gpu-a100-128.sbatch" > "$WORK/t1" 2>&1 || { cat "$WORK/t1"; fail "data task"; }
test -s "$WORK/out/j60/j60_data.json" && test -s "$WORK/out/j70/j70_data.json" || fail "data JSONs missing"
[ ! -e "$WORK/out/j60/j60_ranking_scores.csv" ] || fail "the data task ran inference"
SLURM_ARRAY_TASK_ID=0 bash "$WORK/plan4/infer-gpu-a100-128.sbatch" > "$WORK/t2" 2>&1 || { cat "$WORK/t2"; fail "inference task"; }
test -f "$WORK/out/j60/j60_ranking_scores.csv" && test -f "$WORK/out/j70/j70_ranking_scores.csv" || fail "inference outputs missing"
[ -z "$(ls -d "$WORK"/out/j60_2* 2>/dev/null)" ] || fail "inference wrote a second folder"
[ "$(python3 -c 'import json,sys; print([(r["run_data_pipeline"], r["run_inference"], r["outcome"]) for r in map(json.loads, open(sys.argv[1]))])' "$FAKE_AF3_RECORD")" = \
  "[(True, False, 'data_pipeline_only'), (True, False, 'data_pipeline_only'), (False, True, 'succeeded'), (False, True, 'succeeded')]" ] \
  || { cat "$FAKE_AF3_RECORD"; fail "AlphaFold 3 runs"; }
# A second data task run (a requeue) redoes nothing; the shared history has every run.
SLURM_ARRAY_TASK_ID=0 bash "$WORK/plan4/data-gpu-a100-128.sbatch" > "$WORK/t3" 2>&1 || fail "data task again"
expect_contains "$WORK/t3" "every data JSON of this task exists"
"$FOLDFIT" history --history_db="$WORK/out/foldfit-history.sqlite" --format=json > "$WORK/h.json"
[ "$(json_get 'sorted(r["outcome"] for r in d)' < "$WORK/h.json")" = "['succeeded', 'succeeded', 'succeeded', 'succeeded']" ] \
  || { cat "$WORK/h.json"; fail "history"; }
echo ok
