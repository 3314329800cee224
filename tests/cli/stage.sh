# foldfit stage: stage inputs written atomically and planned like any input, refusals
# that write nothing, the report's statements, sub-assemblies.
source "$(dirname "$0")/lib.bash"

python3 - "$SRC/examples/2pv7.json" "$tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
seq = d["sequences"][0]["protein"]["sequence"]
def write(name, sequences, **extra):
    j = dict(d, name=name, sequences=sequences, **extra)
    json.dump(j, open(f"{sys.argv[2]}/{name}.json", "w"), indent=1)
write("oct", [{"protein": {"id": list("ABCDEFGH"), "sequence": seq}},
              {"ligand": {"id": list("IJKLMNOP"), "ccdCodes": ["ZN"]}}])
write("ss", [{"protein": {"id": list("ABCD"), "sequence": seq}}],
      bondedAtomPairs=[[["A", 1, "N"], ["B", 2, "N"]]])
write("big", [{"protein": {"id": [chr(65 + i) for i in range(24)], "sequence": seq}}])
PY

# Four stages, each planned: the report and the files.
expect_rc 0 "$FOLDFIT" stage --json_path="$tmp/oct.json" --stages=1,2,4,8 --gpu=A100-80GB --output_dir="$tmp/st"
expect_in "$tmp/out" "Stage 1: 1 copy -> oct_stage1.json"
expect_in "$tmp/out" "ligand ZN: 2 of 8 copies (I, J)"
expect_in "$tmp/out" "staging does not reduce the memory a fold needs"
expect_in "$tmp/out" "--num_recycles=3 instead of 10"
for k in 1 2 4 8; do [ -f "$tmp/st/oct_stage$k.json" ] || fail "oct_stage$k.json not written"; done
python3 - "$tmp/st" <<'PY' || fail "stage files"
import json, sys
s2 = json.load(open(f"{sys.argv[1]}/oct_stage2.json"))
assert s2["name"] == "oct_stage2"
assert [list(x.values())[0]["id"] for x in s2["sequences"]] == [["A", "B"], ["I", "J"]]
s1 = json.load(open(f"{sys.argv[1]}/oct_stage1.json"))
assert [list(x.values())[0]["id"] for x in s1["sequences"]] == ["A", "I"]
PY
# One answer: the stage's plan is estimate's plan of the stage file.
"$FOLDFIT" stage --json_path="$tmp/oct.json" --stages=1,8 --gpu=A100-80GB --dry_run --format=json >"$tmp/stage.json" ||
  fail "stage --format=json"
"$FOLDFIT" estimate --json_path="$tmp/st/oct_stage8.json" --gpu=A100-80GB --format=json >"$tmp/est.json"
python3 - "$tmp/stage.json" "$tmp/est.json" <<'PY' || fail "stage json / one answer"
import json, sys
s = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
assert s["schema"] == "foldfit.stage/1" and s["written"] == []
last = s["stages"][-1]
assert last["copies"] == 8 and last["chains_dropped"] == []
assert last["estimate"]["plan"] == e["plan"], "stage and estimate plan differ"
w = s["what_staging_changes"]
assert w["last_stage_is_full_complex"] and w["last_stage_peak_bytes"] > 0
r = w["recycles"]
assert (r["num_recycles_from"], r["num_recycles_to"]) == (10, 3)
assert r["saving_seconds"] > 0 and abs(r["net_seconds"] - (r["saving_seconds"] - r["earlier_stages_seconds"])) < 1e-6
assert s["subassemblies"]["checked"] and not s["subassemblies"]["needed"]
PY
# --num_recycles given: kept, nothing offered.
expect_rc 0 "$FOLDFIT" stage --json_path="$tmp/oct.json" --stages=1,8 --gpu=A100-80GB --dry_run --num_recycles=5
expect_in "$tmp/out" "--num_recycles=5 is yours and is kept"

# Nothing overwritten without --force; with it, replaced.
expect_rc 2 "$FOLDFIT" stage --json_path="$tmp/oct.json" --stages=1,2,4,8 --gpu=A100-80GB --output_dir="$tmp/st"
expect_in "$tmp/err" "oct_stage1.json exists; give --force to overwrite it"
expect_empty "$tmp/out"
expect_rc 0 "$FOLDFIT" stage --json_path="$tmp/oct.json" --stages=1,2,4,8 --gpu=A100-80GB --output_dir="$tmp/st" --force

# A bond between copies that a stage splits: refused with its place, nothing written.
expect_rc 2 "$FOLDFIT" stage --json_path="$tmp/ss.json" --stages=1,2,4 --gpu=A100-80GB --output_dir="$tmp/ss"
expect_in "$tmp/err" "ss.json:"
expect_in "$tmp/err" "bondedAtomPairs[0]: stage 1 of 4 keeps chain A but drops chain B"
[ ! -e "$tmp/ss" ] || fail "a refused staging wrote $(ls "$tmp/ss")"
expect_rc 0 "$FOLDFIT" stage --json_path="$tmp/ss.json" --stages=2,4 --gpu=A100-80GB --output_dir="$tmp/ss"
expect_in "$tmp/out" "bonds: 1 kept, 0 dropped"

# Bad stages and inputs with nothing to stage.
expect_rc 2 "$FOLDFIT" stage --json_path="$tmp/oct.json" --stages=4,2 --gpu=A100-80GB --dry_run
expect_in "$tmp/err" "--stages: copy counts must be strictly increasing: 2 follows 4"
expect_rc 2 "$FOLDFIT" stage --json_path="$tmp/oct.json" --stages=1,16 --gpu=A100-80GB --dry_run
expect_in "$tmp/err" "'16' is not a copy count from 1 to 8"
cat > "$tmp/monomer.json" <<'JSON'
{"dialect": "alphafold3", "version": 2, "name": "ubiquitin", "modelSeeds": [1],
 "sequences": [{"protein": {"id": "A", "sequence": "MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG"}}]}
JSON
expect_rc 2 "$FOLDFIT" stage --json_path="$tmp/monomer.json" --stages=1,2 --gpu=A100-80GB --dry_run
expect_in "$tmp/err" "'2' is not a copy count from 1 to 1"

# 24 copies on an L4: no fit even with unified memory over 64 GB of host RAM; the largest
# k-mer that fits as overlapping windows, written with --write_subassemblies. The GPU named
# as the one that holds it is the one `foldfit estimate` names for the full complex.
expect_rc 11 "$FOLDFIT" estimate --json_path="$tmp/big.json" --gpu=L4 --host_ram_gb=64 --format=json
holder=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["plan"]["smallest_fitting_gpu"])' "$tmp/out")
[ -n "$holder" ] || fail "estimate names no GPU that holds the full complex"
expect_rc 0 "$FOLDFIT" stage --json_path="$tmp/big.json" --stages=1,24 --gpu=L4 --host_ram_gb=64 --output_dir="$tmp/big" --write_subassemblies --format=json
python3 - "$tmp/out" "$tmp/big" "$holder" <<'PY' || fail "sub-assemblies"
import json, sys, os
s = json.load(open(sys.argv[1]))
a = s["subassemblies"]
assert a["needed"] and "even with unified memory" in a["why"], a["why"]
assert f"the smallest GPU in foldfit's table that holds it: {sys.argv[3]}" in a["why"], a["why"]
k = a["copies"]
assert 2 <= k < 24 and a["verdict"] != "cannot_fit"
ws = a["windows"]
chains = [chr(65 + i) for i in range(24)]
covered = set()
for i, w in enumerate(ws):
    assert len(w["chains"]) == k and w["name"] == f"big_sub{i + 1}_{w['chains'][0]}-{w['chains'][-1]}"
    if i: assert w["overlap"] and set(w["overlap"]) <= set(ws[i - 1]["chains"])
    covered |= set(w["chains"])
    d = json.load(open(os.path.join(sys.argv[2], w["file_name"])))
    assert d["sequences"][0]["protein"]["id"] == w["chains"]
assert covered == set(chains)
assert "superpose" in a["instructions"] and "foldfit does not assemble" in a["instructions"]
PY
# The same on a GPU that holds it: no sub-assemblies.
expect_rc 0 "$FOLDFIT" stage --json_path="$tmp/big.json" --stages=1,24 --gpu="$holder" --dry_run
expect_in "$tmp/out" "no sub-assemblies are needed"
finish
