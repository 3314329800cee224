#!/usr/bin/env bash
# One answer: the same input, GPU, flags and environment give the same plan from
# foldfit estimate and foldfit run --estimate_memory_only (verdict, padded N, expected
# peak, changes, settings with their origins, exit code), over a matrix of GPUs, sizes,
# flags and environments; every invalid environment is refused by both, naming the
# variable; and what run launches is what the plan says.
source "$SRC/tests/fake_af3/e2e_lib.sh"
python3 - "$FOLDFIT" "$WORK" <<'PY'
import itertools, json, os, subprocess, sys

foldfit, work = sys.argv[1], sys.argv[2]
base_env = {k: v for k, v in os.environ.items()}

def job(tokens):
    path = os.path.join(work, f"job{tokens}.json")
    if not os.path.exists(path):
        json.dump({"dialect": "alphafold3", "version": 2, "name": f"job{tokens}", "modelSeeds": [1],
                   "sequences": [{"protein": {"id": "A", "sequence": ("MKVLAAGIVG" * (tokens // 10 + 1))[:tokens]}}]},
                  open(path, "w"))
    return path

def call(args, env):
    e = dict(base_env)
    e.update(env)
    p = subprocess.run([foldfit] + args, capture_output=True, text=True, env=e)
    return p.returncode, p.stdout, p.stderr

failures = []
def check(cond, what):
    if not cond:
        failures.append(what)

def key(d):
    p = d["plan"]
    return (d["verdict"], d["padded_tokens"], p["padded_tokens"], p["total_bytes"], p["estimate"]["pool_bytes"],
            [(c["setting"], c["from"], c["to"]) for c in p["changes"]], p["settings"], d["gpu"]["budget_bytes"])

gpus = ["H100-80GB", "A100-40GB", "A10", "L40S", "V100-16GB", "T4"]
sizes = [300, 1000, 2570, 3080, 5300]
flag_sets = [[], ["--num_diffusion_samples=3", "--bfloat16=none"],
             ["--pair_transition_shard_spec=((2048, None), (3072, 1024), (None, 512))", "--num_seeds=2"],
             ["--max_gpu_memory_gb=60"], ["--max_gpu_memory_gb=160", "--host_ram_gb=64"]]
envs = [{}, {"XLA_PYTHON_CLIENT_PREALLOCATE": "true", "XLA_CLIENT_MEM_FRACTION": "0.95"},
        {"XLA_PYTHON_CLIENT_PREALLOCATE": "yes"},
        {"TF_FORCE_UNIFIED_MEMORY": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false", "XLA_CLIENT_MEM_FRACTION": "3.2"},
        {"TF_FORCE_UNIFIED_MEMORY": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "true"}]
cases = 0
for gpu, tokens, flags, env in itertools.product(gpus, sizes, flag_sets, envs):
    # Each flag set and environment meets every GPU and size once, not every combination.
    if (gpus.index(gpu) + sizes.index(tokens) + flag_sets.index(flags) + envs.index(env)) % 3:
        continue
    cases += 1
    args = ["--json_path=" + job(tokens), "--gpu=" + gpu] + flags
    rc_e, out_e, err_e = call(["estimate", "--format=json"] + args, env)
    rc_r, out_r, err_r = call(["run", "--estimate_memory_only", "--format=json"] + args, env)
    what = f"{gpu} {tokens} {flags} {env}"
    check(rc_e == rc_r, f"{what}: exit codes {rc_e} vs {rc_r}")
    check(rc_e in (0, 2, 10, 11), f"{what}: exit {rc_e}: {err_e}")
    if rc_e == 2:
        check(err_e == err_r, f"{what}: errors differ: {err_e!r} vs {err_r!r}")
        continue
    e, r = json.loads(out_e), json.loads(out_r)
    check(key(e) == key(r), f"{what}: plans differ")
    check(e["padded_tokens"] == e["plan"]["padded_tokens"], f"{what}: two padded N")
    # The planner never changes what the user set.
    for name, s in e["plan"]["settings"].items():
        check(s["origin"] in ("default", "flag", "environment", "plan"), f"{what}: origin {s}")
    for c in e["plan"]["changes"]:
        s = e["plan"]["settings"].get(c["setting"])
        check(s is None or s["origin"] == "plan", f"{what}: change {c['setting']} on a setting of origin {s}")
    # Unified memory only with permission or the user's environment.
    unified = e["plan"]["settings"]["TF_FORCE_UNIFIED_MEMORY"]
    if unified["value"] and unified["origin"] == "plan":
        check(any(f.startswith("--max_gpu_memory_gb") for f in flags), f"{what}: unified memory without permission")
    # Contradicting fixes: never 0.95 and 3.2 for the same variable in one report.
    fixes = " ".join(f["fix"] for f in e["environment_findings"])
    check(not ("XLA_CLIENT_MEM_FRACTION=0.95" in fixes and "XLA_CLIENT_MEM_FRACTION=3.2" in fixes),
          f"{what}: contradicting fixes {fixes}")
    # A plan that spills says how much host RAM it needs.
    if e["plan"]["host_ram_needed_bytes"] > 0 and e["gpu"]["host_ram_bytes"] is None:
        rc, text, _ = call(["estimate"] + args, env)
        check("the GPU's node needs that much free" in text, f"{what}: spill without its host RAM")

# The cases the issue names.
t5300 = ["--json_path=" + job(5300), "--gpu=A100-40GB"]
rc, _, _ = call(["estimate"] + t5300, {})
rc2, _, _ = call(["run", "--estimate_memory_only"] + t5300, {})
check(rc == rc2 == 11, f"5300 tokens on A100-40GB: {rc} {rc2}")
rc, text, _ = call(["estimate", "--json_path=" + job(3080), "--gpu=A10", "--max_gpu_memory_gb=60"], {})
check(rc == 10 and "TF_FORCE_UNIFIED_MEMORY=true" in text and "spills to host RAM" in text, f"A10 60 GB: {rc}\n{text}")
rc, text, _ = call(["estimate", "--json_path=" + job(3080), "--gpu=A100-40GB", "--max_gpu_memory_gb=160"], {})
check("allows 117.05 GB beyond the card's memory to spill to host RAM" in text, f"A100 160 GB:\n{text}")
check("Available GPU memory: 42.95 GB" in text, f"A100 160 GB memory:\n{text}")
rc, out, _ = call(["estimate", "--format=json", "--json_path=" + job(2570), "--gpu=A10"], {})
d = json.loads(out)
check(d["padded_tokens"] == d["plan"]["padded_tokens"] == 2592, f"2570 on A10: {d['padded_tokens']}")
for env, variable in [({"XLA_CLIENT_MEM_FRACTION": v}, "XLA_CLIENT_MEM_FRACTION") for v in ["abc", "0.95x", "-1", "nan", "inf", "3.2"]] + [
        ({"TF_FORCE_UNIFIED_MEMORY": "maybe"}, "TF_FORCE_UNIFIED_MEMORY"),
        ({"XLA_PYTHON_CLIENT_ALLOCATOR": "foo"}, "XLA_PYTHON_CLIENT_ALLOCATOR"),
        ({"XLA_PYTHON_CLIENT_PREALLOCATE": "no"}, "XLA_PYTHON_CLIENT_PREALLOCATE"),
        ({"XLA_CLIENT_MEM_FRACTION": "0.9", "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.9"}, "XLA_PYTHON_CLIENT_MEM_FRACTION")]:
    for cmd in (["estimate"], ["run", "--estimate_memory_only"], ["run", "--output_dir=" + work + "/never"]):
        rc, out, err = call(cmd + ["--json_path=" + job(300), "--gpu=H100-80GB"], env)
        check(rc == 2 and variable in err and out == "", f"{cmd[0]} {env}: exit {rc}, {err!r}")
        check(err.count("foldfit:") == 1, f"{cmd[0]} {env}: prefix {err!r}")
check(not os.path.exists(work + "/never"), "run created its output folder for an invalid environment")
# PREALLOCATE=yes is on for both (jaxlib reads it so).
rc, out, _ = call(["estimate", "--format=json", "--json_path=" + job(300), "--gpu=H100-80GB"],
                  {"XLA_PYTHON_CLIENT_PREALLOCATE": "yes"})
check(json.loads(out)["plan"]["settings"]["XLA_PYTHON_CLIENT_PREALLOCATE"] == {"value": True, "origin": "environment"},
      "PREALLOCATE=yes")

# What run launches is what the plan says (the fake AlphaFold 3 records what it got).
record = os.path.join(work, "af3_runs.jsonl")
for tokens, gpu, flags in [(1000, "A100-40GB", ["--num_diffusion_samples=3"]), (3080, "A100-40GB", []),
                           (2570, "A10", []), (1000, "H100-80GB", ["--bfloat16=none"])]:
    args = ["--json_path=" + job(tokens), "--gpu=" + gpu] + flags
    _, out, _ = call(["estimate", "--format=json"] + args, {})
    plan = json.loads(out)
    if os.path.exists(record):
        os.remove(record)
    rc, text, err = call(["run", "--output_dir=" + os.path.join(work, f"out{tokens}{gpu}"), "--format=text"] + args,
                         {"FAKE_GPU_MEMORY_BYTES": str(10**12)})
    check(rc == 0, f"run {tokens} {gpu}: {rc} {text} {err}")
    if not os.path.exists(record):
        check(False, f"run {tokens} {gpu}: AlphaFold 3 was not launched: {text} {err}")
        continue
    got = [json.loads(l) for l in open(record)][0]
    s = plan["plan"]["settings"]
    check(got["n"] == plan["padded_tokens"], f"run {tokens} {gpu}: N {got['n']} vs {plan['padded_tokens']}")
    check(got["samples"] == s["num_diffusion_samples"]["value"], f"run {tokens} {gpu}: samples")
    want_fraction = s["XLA_CLIENT_MEM_FRACTION"]["value"] if s["XLA_CLIENT_MEM_FRACTION"]["origin"] != "default" else 0.75
    check(got["fraction"] == want_fraction, f"run {tokens} {gpu}: fraction {got['fraction']} vs {want_fraction}")
    check(f"bucket {plan['padded_tokens']}" in text, f"run {tokens} {gpu}: printed bucket")
    check(got["bfloat16"] == s["bfloat16"]["value"], f"run {tokens} {gpu}: bfloat16 {got['bfloat16']}")

print(f"{cases} matrix cases")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
echo ok
