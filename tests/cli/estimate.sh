# foldfit estimate: report, JSON contract, exit codes, --input_dir, user settings kept.
source "$(dirname "$0")/lib.bash"
unset XLA_PYTHON_CLIENT_PREALLOCATE XLA_CLIENT_MEM_FRACTION XLA_PYTHON_CLIENT_MEM_FRACTION TF_FORCE_UNIFIED_MEMORY XLA_FLAGS

# Fits as given: exit 0, the familiar block.
expect_rc 0 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=H100-80GB
expect_in "$tmp/out" "Memory Analysis for 2PV7:"
expect_in "$tmp/out" "Estimated tokens (with padding): 768 (596 tokens)"
expect_in "$tmp/out" "Number of chains: 2 (homomer)"
expect_in "$tmp/out" "Will fit: Yes, as given"
expect_in "$tmp/out" "Profile alphafold3-v3.0.4"
# H100 + triton: the built-in overlay fitted to XLA's compiles (data/xla), and the GLU assumed.
expect_in "$tmp/out" "calibration alphafold3-v3.0.4/hopper/triton/xla 2026-12-03"
expect_in "$tmp/out" "Gated linear unit: fused (compute capability 9.0, AlphaFold 3 v3.0.4: the fused Triton GLU)."
expect_rc 0 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=H100-80GB --explain
expect_in "$tmp/out" "<- peak"
expect_in "$tmp/out" "src/alphafold3/model/"

# A big complex on a 40 GB card: fits with a plan (exit 10); the JSON contract.
python3 - "$tmp/big.json" <<'PY'
import json, sys
json.dump({"dialect": "alphafold3", "version": 1, "name": "big", "modelSeeds": [1],
           "sequences": [{"protein": {"id": ["A", "B", "C", "D"], "sequence": "MKVLA" * 180}}]}, open(sys.argv[1], "w"))
PY
expect_rc 10 "$FOLDFIT" estimate --json_path="$tmp/big.json" --gpu=A100-40GB --format=json
python3 - "$tmp/out" <<'PY' || fail "estimate json contract"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "foldfit.estimate/1"
for k in ["name", "tokens", "padded_tokens", "chains", "homomer", "gpu", "estimate", "verdict", "plan"]:
    assert k in d, k
assert d["tokens"] == 3600 and d["padded_tokens_as_given"] == 4096 and d["chains"] == 4 and d["homomer"] is True
# The plan owns N: the top level and the plan agree on what AlphaFold 3 will run at.
assert d["padded_tokens"] == d["plan"]["padded_tokens"], (d["padded_tokens"], d["plan"]["padded_tokens"])
s = d["plan"]["settings"]
assert s["num_diffusion_samples"] == {"value": 5, "origin": "default"}, s["num_diffusion_samples"]
assert s["XLA_CLIENT_MEM_FRACTION"]["origin"] == "plan" and s["XLA_CLIENT_MEM_FRACTION"]["value"] == 0.95, s
for k in ["name", "total_bytes", "budget_bytes"]:
    assert k in d["gpu"], k
e = d["estimate"]
assert e["total_bytes"] > 0 and e["peak_phase"] and all({"name", "bytes"} <= set(p) for p in e["phases"])
assert d["verdict"] == "fits_with_plan"
p = d["plan"]
assert p["changes"] and all({"setting", "from", "to", "reason"} <= set(c) for c in p["changes"])
assert p["total_bytes"] > 0 and p["runtime_seconds"] > 0
assert "MKVLA" not in open(sys.argv[1]).read()  # no sequence data in what users share
PY

# A setting the user gave is never changed: with the fraction fixed in the environment
# and few samples forced, the same input cannot fit (exit 11) and says why.
XLA_CLIENT_MEM_FRACTION=0.5 expect_rc 11 "$FOLDFIT" estimate --json_path="$tmp/big.json" --gpu=A100-40GB --num_diffusion_samples=5
expect_in "$tmp/out" "Will fit: No"
expect_in "$tmp/out" "Blocked by your settings:"
expect_in "$tmp/out" "Smallest GPU in the table that fits:"

# An environment AlphaFold 3 cannot run under is an error, not a verdict.
XLA_CLIENT_MEM_FRACTION=1.5 expect_rc 2 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=H100-80GB
expect_in "$tmp/err" "TF_FORCE_UNIFIED_MEMORY"

# --input_dir: a row per input, a summary, the worst exit code.
mkdir -p "$tmp/in" && cp "$SRC/examples/2pv7.json" "$tmp/in/a.json" && cp "$tmp/big.json" "$tmp/in/b.json"
expect_rc 10 "$FOLDFIT" estimate --input_dir="$tmp/in" --gpu=A100-40GB
expect_in "$tmp/out" "2 inputs: 1 fit as given, 1 fit with a plan, 0 cannot fit"
expect_rc 10 "$FOLDFIT" estimate --input_dir="$tmp/in" --gpu=A100-40GB --format=json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert [x['verdict'] for x in d]==['fits','fits_with_plan']" "$tmp/out" || fail "dir json"

# GPU names: equivalent spellings, unknown names with close matches, memory override.
expect_rc 0 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=h100_80gb
expect_rc 2 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=H100-80G
expect_in "$tmp/err" "did you mean"
expect_rc 11 "$FOLDFIT" estimate --json_path="$tmp/big.json" --gpu=A100-40GB --max_gpu_memory_gb=4 --num_diffusion_samples=5
expect_in "$tmp/out" "planned with 4.00 GB (--max_gpu_memory_gb)"

# A pasted run_alphafold.py command line: its other flags are accepted, a typo is not.
expect_rc 0 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=H100-80GB --model_dir=/models \
  --max_template_date=2021-09-30 --db_dir=/db --output_dir=/out
expect_rc 2 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=H100-80GB --max_template_dat=2021-09-30
expect_in "$tmp/err" "max_template_date"

# Invalid input: exit 2, nothing on stdout.
printf '{"dialect": "alphafold3"}' >"$tmp/bad.json"
expect_rc 2 "$FOLDFIT" estimate --json_path="$tmp/bad.json" --gpu=H100-80GB
expect_empty "$tmp/out"
finish
