# foldfit template: a stage's predicted model (the fake AlphaFold 3's mmCIF) attached as
# templates to the next stage: chains mapped by id, indices over the model's residues
# with an unresolved one left out, refusals that write nothing.
source "$(dirname "$0")/lib.bash"
cd "$tmp"
python3 - <<'PY'
import json
json.dump({"dialect": "alphafold3", "version": 2, "name": "tet", "modelSeeds": [1], "sequences": [
    {"protein": {"id": ["A", "B", "C", "D"], "sequence": "MKSGLVE",
                 "modifications": [{"ptmType": "SEP", "ptmPosition": 3}],
                 "unpairedMsa": ">q\nMKSGLVE\n", "pairedMsa": "", "templates": []}},
    {"ligand": {"id": ["E", "F", "G", "H"], "ccdCodes": ["ZN"]}}]}, open("tet.json", "w"))
PY
expect_rc 0 "$FOLDFIT" stage --json_path=tet.json --stages=2,4 --gpu=A100-80GB --output_dir=st
# Stage 2 "folded" by the fake AlphaFold 3; chain B's residue 2 left without atoms.
FAKE_AF3_UNRESOLVED=B:2 python3 "$SRC/tests/fake_af3/run_alphafold.py" --json_path=st/tet_stage2.json \
  --output_dir=af3 --norun_data_pipeline >af3.log 2>&1 || fail "fake AlphaFold 3: $(tail -3 af3.log)"
model=af3/tet_stage2/tet_stage2_model.cif
expect_rc 0 "$FOLDFIT" template --json_path=st/tet_stage4.json --model=$model --output=st/tet_stage4_templated.json
expect_in "$tmp/out" "2 templates from $model attached"
expect_in "$tmp/out" "templates from model chains A (7 of 7 residues resolved), B (6 of 7 residues resolved)"
expect_in "$tmp/out" "sequences[1].ligand (E,F,G,H): the model has none of its chains; left as it was"
python3 - <<'PY' || fail "templates attached"
import json, re
d = json.load(open("st/tet_stage4_templated.json"))
p = d["sequences"][0]["protein"]
assert p["id"] == ["A", "B", "C", "D"]
t = p["templates"]
assert len(t) == 2
assert (t[0]["queryIndices"], t[0]["templateIndices"]) == (list(range(7)), list(range(7)))
assert (t[1]["queryIndices"], t[1]["templateIndices"]) == ([0, 2, 3, 4, 5, 6], [0, 2, 3, 4, 5, 6])
for chain, tpl in zip("AB", t):
    cif = tpl["mmcif"]
    assert cif.startswith(f"data_tet_stage2_{chain}\n"), cif[:40]
    assert re.search(r"_pdbx_audit_revision_history.revision_date\s+1970-01-01", cif), "release date"
    atoms = [l.split() for l in cif.splitlines() if l.startswith("ATOM")]
    assert atoms and all(a[6] == chain and a[16] == chain for a in atoms), "other chains in the template"
    assert [a[5] for a in atoms][:3] == (["MET", "LYS", "SEP"] if chain == "A" else ["MET", "SEP", "GLY"])
    assert "MKSGLVE" not in cif
assert "templates" not in d["sequences"][1]["ligand"]
PY
# The result is an input foldfit (and AlphaFold 3's validation) accepts, with 2 templates on each of its 4 chains.
expect_rc 0 "$FOLDFIT" tokens --json_path=st/tet_stage4_templated.json --format=json
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['templates']==8, d['templates']" "$tmp/out" ||
  fail "templates counted: $(head -c 300 "$tmp/out")"

# Nothing overwritten without --force.
expect_rc 2 "$FOLDFIT" template --json_path=st/tet_stage4.json --model=$model --output=st/tet_stage4_templated.json
expect_in "$tmp/err" "tet_stage4_templated.json exists; give --force to overwrite it"
expect_rc 0 "$FOLDFIT" template --json_path=st/tet_stage4.json --model=$model --output=st/tet_stage4_templated.json --force

# A model of another sequence, or not mmCIF: refused, nothing written.
sed 's/MKSGLVE/MKSGLVQ/' st/tet_stage4.json >other.json
expect_rc 2 "$FOLDFIT" template --json_path=other.json --model=$model --output=other_t.json
expect_in "$tmp/err" "chain A residue 7 is GLU, the query has Q there"
[ ! -e other_t.json ] || fail "a refused template attachment wrote other_t.json"
echo "not a cif" >bad.cif
expect_rc 2 "$FOLDFIT" template --json_path=st/tet_stage4.json --model=bad.cif --output=bad_t.json
[ ! -e bad_t.json ] || fail "wrote bad_t.json"
finish
