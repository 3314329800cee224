# foldfit tokens: the README example, JSON output, --input_dir, invalid input.
source "$(dirname "$0")/lib.bash"

expect_rc 0 "$FOLDFIT" tokens --json_path="$SRC/examples/2pv7.json"
expect_in "$tmp/out" "tokens 596 -> padded 768; flat atoms 18432; chains 2 (homomer)"

expect_rc 0 "$FOLDFIT" tokens --json_path "$SRC/examples/2pv7.json" --format=json
python3 - "$tmp/out" <<'PY' || fail "json output"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "foldfit.tokens/1"
for key in ["name", "tokens", "padded_tokens", "atoms", "chains", "homomer", "msa_rows", "templates", "per_chain"]:
    assert key in d, key
assert (d["tokens"], d["padded_tokens"], d["atoms"], d["chains"]) == (596, 768, 18432, 2)
assert [c["id"] for c in d["per_chain"]] == ["A", "B"]
PY

# Custom buckets and the exact-size bucket above the largest.
expect_rc 0 "$FOLDFIT" tokens --json_path="$SRC/examples/2pv7.json" --buckets=300,500
expect_in "$tmp/out" "tokens 596 -> padded 596 (above the largest bucket: exact size)"
expect_rc 2 "$FOLDFIT" tokens --json_path="$SRC/examples/2pv7.json" --buckets=512,256
expect_in "$tmp/err" "--buckets: buckets must be strictly increasing: 256 follows 512"
expect_empty "$tmp/out"

# A directory: one table per input, a summary, JSON as a list.
mkdir -p "$tmp/in"
cp "$SRC/examples/2pv7.json" "$tmp/in/a.json"
printf '%s' '{"dialect": "alphafold3", "version": 1, "name": "lig", "modelSeeds": [1], "sequences": [{"ligand": {"id": "A", "ccdCodes": ["ATP"]}}]}' >"$tmp/in/b.json"
expect_rc 0 "$FOLDFIT" tokens --input_dir="$tmp/in"
expect_in "$tmp/out" "2 inputs, 627 tokens in all"
expect_rc 0 "$FOLDFIT" tokens --input_dir="$tmp/in" --format=json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert [x['tokens'] for x in d]==[596,31]" "$tmp/out" || fail "dir json"

# Invalid input anywhere: exit 2, every error reported, nothing on stdout.
printf '{"dialect": "alphafold3", "version": 1,\n "name": "bad", "modelSeeds": [1],\n "sequences": [{"ligand": {"id": "A", "ccdCodes": ["XYZ9"]}}]}' >"$tmp/in/c.json"
expect_rc 2 "$FOLDFIT" tokens --input_dir="$tmp/in"
expect_in "$tmp/err" "c.json:3:52: sequences[0].ligand.ccdCodes[0]: unknown CCD code 'XYZ9'"
expect_empty "$tmp/out"

# What the data pipeline will do per chain: MSA search for protein and RNA only, template
# search for protein only; AlphaFold Server jobs numbered from 1; RNA with T warned about.
cat >"$tmp/server.json" <<'J'
[{"name": "srv", "modelSeeds": [], "sequences": [{"proteinChain": {"sequence": "MKVL", "count": 1}}, {"dnaSequence": {"sequence": "ACGT", "count": 1}}]},
 {"name": "srv2", "modelSeeds": [], "sequences": [{"rnaSequence": {"sequence": "ACGUT", "count": 1}}]}]
J
expect_rc 0 "$FOLDFIT" tokens --json_path="$tmp/server.json"
expect_in "$tmp/out" "srv (job 1 of $tmp/server.json)"
expect_in "$tmp/out" "srv2 (job 2 of $tmp/server.json)"
expect_in "$tmp/out" "  A      protein       1         4       4      33    search    search"
expect_in "$tmp/out" "  B      dna           2         4       4      83      none      none"
expect_in "$tmp/out" "  A      rna           1         5       5      98    search      none"
expect_in "$tmp/out" "warning: chain A: the RNA sequence has 1 T (thymine) residue; AlphaFold 3 reads them as N"

# Usage errors.
expect_rc 2 "$FOLDFIT" tokens
expect_in "$tmp/err" "give --json_path=FILE, --input_dir=DIR or --input_list=FILE"
expect_rc 2 "$FOLDFIT" tokens --json_pth=x
expect_in "$tmp/err" "unknown flag --json_pth (did you mean --json_path?)"
# The AlphaFold 3 release decides the default buckets, and the report names it with its origin.
python3 -c 'import json; json.dump({"dialect": "alphafold3", "version": 4, "name": "p300", "modelSeeds": [1],
  "sequences": [{"protein": {"id": "A", "sequence": "M" * 300}}]}, open(__import__("sys").argv[1], "w"))' "$tmp/p300.json"
expect_rc 0 env -u FOLDFIT_AF3_COMMAND PATH=/usr/bin:/bin "$FOLDFIT" tokens --json_path="$tmp/p300.json"
expect_in "$tmp/out" "tokens 300 -> padded 512"
expect_in "$tmp/out" "AlphaFold 3 release: v3.0.4 (default: no AlphaFold 3 installation found"
expect_rc 0 "$FOLDFIT" tokens --json_path="$tmp/p300.json" --af3_release=main
expect_in "$tmp/out" "tokens 300 -> padded 384"
expect_in "$tmp/out" "AlphaFold 3 release: main (flag: --af3_release=main); buckets 128,256,384,"
expect_rc 0 env FOLDFIT_AF3_COMMAND="python3 $SRC/tests/fake_af3/run_alphafold.py" "$FOLDFIT" tokens --json_path="$tmp/p300.json" --format=json
python3 - "$tmp/out" <<'PY' || fail "detected release in json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["padded_tokens"] == 384 and d["af3_release"]["name"] == "main", d
assert d["af3_release"]["origin"] == "detected" and "includes 128" in d["af3_release"]["detail"], d["af3_release"]
PY
expect_rc 2 "$FOLDFIT" tokens --json_path="$tmp/p300.json" --af3_release=v3.0.1
expect_in "$tmp/err" "version: unsupported version 4, expected one of 1, 2 (AlphaFold 3 v3.0.1)"
expect_rc 2 "$FOLDFIT" tokens --json_path="$tmp/p300.json" --af3_release=3.1
expect_in "$tmp/err" "--af3_release: '3.1' is not a release foldfit knows"
expect_rc 2 "$FOLDFIT" run --json_path="$tmp/p300.json" --output_dir="$tmp/out-dir" --af3_release=v3.0.1 --gpu=A100-80GB
expect_in "$tmp/err" "AlphaFold 3 v3.0.1 (flag: --af3_release=v3.0.1) has no --save_distogram, which foldfit run passes"

expect_rc 2 "$FOLDFIT" tokns
expect_in "$tmp/err" "unknown command 'tokns' (did you mean 'tokens'?)"
expect_rc 0 "$FOLDFIT" --version
expect_in "$tmp/out" "foldfit 0."
finish
