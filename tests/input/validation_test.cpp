// One test per validation rule: each asserts the exact message, with file, line:column
// and JSON path. Rules follow AlphaFold 3's common/folding_input.py (see docs/input.md).
#include <gtest/gtest.h>

#include "foldfit/sizes/sizes.hpp"

namespace foldfit {
namespace {

// Reads and sizes `json` as the file "job.json"; returns the error message, or "" when valid.
std::string error_of(const std::string& json) {
  try {
    Ccd base;
    for (const Input& in : read_input_text(json, "job.json", ReadOptions{})) {
      Ccd ccd = ccd_for_input(in, base);
      size_input(in, ccd, {});
    }
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Validation, TopUnknownKey) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}], "seeds": [1]})json"),
            "job.json:1:132: seeds: unexpected key 'seeds'; allowed here: dialect, version, name, modelSeeds, sequences, bondedAtomPairs, userCCD, userCCDPath");
}

TEST(Validation, MissingVersion) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "name": "t", "modelSeeds": [1], "sequences": []})json"),
            "job.json:1:1: AlphaFold 3 input JSON must contain `dialect` and `version` fields");
}

TEST(Validation, WrongDialect) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold2", "version": 4, "name": "t", "modelSeeds": [1], "sequences": []})json"),
            R"json(job.json:1:13: dialect: unsupported dialect "alphafold2", expected "alphafold3")json");
}

TEST(Validation, BadVersion) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 5, "name": "t", "modelSeeds": [1], "sequences": []})json"),
            "job.json:1:38: version: unsupported version 5, expected one of 1, 2, 3, 4 (AlphaFold 3 v3.0.4)");
}

TEST(Validation, NoSequences) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1]})json"),
            "job.json:1:1: AlphaFold 3 input JSON does not contain any sequences (field 'sequences')");
}

TEST(Validation, EmptySequences) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": []})json"),
            "job.json:1:86: sequences: sequences is empty: nothing to fold");
}

TEST(Validation, NoSeeds) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [], "sequences": []})json"),
            "job.json:1:68: modelSeeds: AlphaFold 3 input JSON must specify at least one rng seed in `modelSeeds`");
}

TEST(Validation, SeedRange) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [4294967296], "sequences": []})json"),
            "job.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit unsigned), found 4294967296");
}

TEST(Validation, SeedNegative) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [-1], "sequences": []})json"),
            "job.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit unsigned), found -1");
}

TEST(Validation, SeedFloat) {
  // int(1.5) is 1 in AlphaFold 3: accepted (with a warning, tests/input/acceptance_test.cpp);
  // the input fails later, on its empty sequences.
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1.5], "sequences": []})json"),
            "job.json:1:88: sequences: sequences is empty: nothing to fold");
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1e10], "sequences": []})json"),
            "job.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit unsigned), found 1e10");
}

TEST(Validation, NameBad) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "???", "modelSeeds": [1], "sequences": []})json"),
            "job.json:1:49: name: name must be non-empty and contain at least one letter, digit, '.', '-' or '_'");
}

TEST(Validation, NameMissing) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "modelSeeds": [1], "sequences": []})json"),
            "job.json:1:1: missing required field 'name'");
}

TEST(Validation, TwoKinds) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}, "rna": {"id": "B", "sequence": "AU"}}]})json"),
            "job.json:1:87: sequences[0]: an entry must hold exactly one of protein, rna, dna, ligand; found protein, rna");
}

TEST(Validation, UnknownKind) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"peptide": {"id": "A", "sequence": "MK"}}]})json"),
            "job.json:1:88: sequences[0].peptide: unknown sequence type 'peptide'; expected protein, rna, dna or ligand");
}

TEST(Validation, EntityUnknownKey) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"dna": {"id": "A", "sequence": "GA", "unpairedMsa": ""}}]})json"),
            "job.json:1:125: sequences[0].dna.unpairedMsa: unexpected key 'unpairedMsa'; allowed here: id, sequence, modifications, description");
}

TEST(Validation, IdMissing) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"sequence": "MK"}}]})json"),
            "job.json:1:99: sequences[0].protein: sequence id is not set (AlphaFold 3 requires an id for every entry)");
}

TEST(Validation, IdLower) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": ["A", "b"], "sequence": "MK"}}]})json"),
            "job.json:1:112: sequences[0].protein.id[1]: chain id 'b' must be upper case letters (A, B, ..., AA, ...)");
}

TEST(Validation, IdDigit) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A1", "sequence": "MK"}}]})json"),
            "job.json:1:106: sequences[0].protein.id: chain id 'A1' must be upper case letters (A, B, ..., AA, ...)");
}

TEST(Validation, IdDuplicate) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}, {"rna": {"id": "A", "sequence": "AU"}}]})json"),
            "job.json:1:139: sequences[1].rna: chain id 'A' is used more than once (also in sequences[0])");
}

TEST(Validation, SeqNonletter) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK-V"}}]})json"),
            "job.json:1:123: sequences[0].protein.sequence: protein sequence must contain only letters, found '-' at position 3");
}

TEST(Validation, SeqEmpty) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": ""}}]})json"),
            "job.json:1:123: sequences[0].protein.sequence: protein sequence is empty");
}

TEST(Validation, ModRange) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK", "modifications": [{"ptmType": "SEP", "ptmPosition": 3}]}}]})json"),
            "job.json:1:147: sequences[0].protein.modifications[0]: modification position 3 is outside the sequence (1..2)");
}

TEST(Validation, ModPrefix) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MS", "modifications": [{"ptmType": "CCD_SEP", "ptmPosition": 2}]}}]})json"),
            R"json(job.json:1:147: sequences[0].protein.modifications[0]: ptmType 'CCD_SEP' must not have the "CCD_" prefix in the alphafold3 dialect)json");
}

TEST(Validation, LigandBoth) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"ligand": {"id": "L", "ccdCodes": ["ATP"], "smiles": "CCO"}}]})json"),
            "job.json:1:141: sequences[0].ligand.smiles: a ligand cannot have both ccdCodes and smiles");
}

TEST(Validation, LigandNeither) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"ligand": {"id": "L"}}]})json"),
            "job.json:1:98: sequences[0].ligand: a ligand needs one of ccdCodes or smiles");
}

TEST(Validation, CcdNotList) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"ligand": {"id": "L", "ccdCodes": "ATP"}}]})json"),
            "job.json:1:122: sequences[0].ligand.ccdCodes: ccdCodes must be a list of strings, found string");
}

TEST(Validation, UnknownCcd) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"ligand": {"id": "L", "ccdCodes": ["XYZ9"]}}]})json"),
            "job.json:1:123: sequences[0].ligand.ccdCodes[0]: unknown CCD code 'XYZ9' (searched: the built-in CCD table (wwPDB, 2023-06-23); give --ccd_path=components.cif or define it in userCCD)");
}

TEST(Validation, BadSmiles) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"ligand": {"id": "L", "smiles": "C1CC"}}]})json"),
            "job.json:1:120: sequences[0].ligand.smiles: unable to make an RDKit molecule from SMILES 'C1CC': RDKit could not parse it");
}

TEST(Validation, MsaBoth) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK", "unpairedMsa": ">q\nMK\n", "unpairedMsaPath": "a.a3m"}}]})json"),
            "job.json:1:175: sequences[0].protein.unpairedMsaPath: only one of unpairedMsa/unpairedMsaPath can be set");
}

TEST(Validation, MsaPathMissing) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK", "pairedMsaPath": "missing.a3m"}}]})json"),
            "job.json:1:146: sequences[0].protein.pairedMsaPath: missing.a3m: cannot open: No such file or directory");
}

TEST(Validation, TemplatesNotList) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK", "templates": {}}}]})json"),
            "job.json:1:142: sequences[0].protein.templates: templates must be a list, found object");
}

TEST(Validation, TemplateNoMmcif) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK", "templates": [{"queryIndices": [0], "templateIndices": [0]}]}}]})json"),
            "job.json:1:143: sequences[0].protein.templates[0]: the template mmCIF must be a non-empty string (set mmcif or mmcifPath)");
}

TEST(Validation, TemplateMismatch) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK", "templates": [{"mmcif": "data_x", "queryIndices": [0, 1], "templateIndices": [0]}]}}]})json"),
            "job.json:1:143: sequences[0].protein.templates[0]: queryIndices has 2 entries but templateIndices has 1; they must pair up");
}

TEST(Validation, BondArity) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}], "bondedAtomPairs": [[["A", 1, "N"]]]})json"),
            "job.json:1:152: bondedAtomPairs[0]: a bond must have 2 atoms, found 1");
}

TEST(Validation, BondAtom) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}], "bondedAtomPairs": [[["A", "1", "N"], ["A", 2, "C"]]]})json"),
            "job.json:1:153: bondedAtomPairs[0][0]: a bonded atom must be [chain_id (string), residue_id (integer), atom_name (string)]");
}

TEST(Validation, BondChain) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}], "bondedAtomPairs": [[["A", 1, "N"], ["Q", 2, "C"]]]})json"),
            "job.json:1:168: bondedAtomPairs[0][1]: bond names chain 'Q', which is not in sequences");
}

TEST(Validation, BondResidue) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}], "bondedAtomPairs": [[["A", 1, "N"], ["A", 3, "C"]]]})json"),
            "job.json:1:168: bondedAtomPairs[0][1]: residue 3 is outside chain 'A' (1..2)");
}

TEST(Validation, BondSmiles) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}, {"ligand": {"id": "L", "smiles": "CCO"}}], "bondedAtomPairs": [[["A", 1, "N"], ["L", 1, "C1"]]]})json"),
            "job.json:1:210: bondedAtomPairs[0][1]: bond involves SMILES ligand 'L'; SMILES atoms have no names to bond (use userCCD)");
}

TEST(Validation, BondDup) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}], "bondedAtomPairs": [[["A", 1, "C"], ["A", 2, "N"]], [["A", 1, "C"], ["A", 2, "N"]]]})json"),
            "job.json:1:184: bondedAtomPairs[1]: bond repeats bondedAtomPairs[0] (line 1); bonds must be unique");
}

TEST(Validation, UserccdBoth) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"protein": {"id": "A", "sequence": "MK"}}], "userCCD": "data_X", "userCCDPath": "x.cif"})json"),
            "job.json:1:168: userCCDPath: only one of userCCD/userCCDPath can be set");
}

TEST(Validation, UserccdKeys) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [{"ligand": {"id": "L", "ccdCodes": ["MYL"]}}], "userCCD": "data_MYL\n_chem_comp.id MYL\n_chem_comp.type non-polymer\n"})json"),
            "job.json:1:145: userCCD: mmCIF line 1, column 1: component MYL in the user-defined CCD is missing these keys: _chem_comp.name, _chem_comp.formula, _chem_comp.mon_nstd_parent_comp_id, _chem_comp.pdbx_synonyms, _chem_comp.formula_weight, _chem_comp_atom.comp_id, _chem_comp_atom.atom_id, _chem_comp_atom.type_symbol, _chem_comp_atom.charge, _chem_comp_atom.pdbx_model_Cartn_x_ideal, _chem_comp_atom.pdbx_model_Cartn_y_ideal, _chem_comp_atom.pdbx_model_Cartn_z_ideal, _chem_comp_bond.atom_id_1, _chem_comp_bond.atom_id_2, _chem_comp_bond.value_order, _chem_comp_bond.pdbx_aromatic_flag");
}

TEST(Validation, SyntaxTrailingComma) {
  EXPECT_EQ(error_of(R"json({"dialect": "alphafold3", "version": 4,})json"),
            "job.json:1:40: invalid JSON: trailing comma before '}'");
}

TEST(Validation, ServerDialectOnly) {
  EXPECT_EQ(error_of(R"json([{"name": "j", "dialect": "alphafoldserver", "sequences": []}])json"),
            "job.json:1:2: [0]: an AlphaFold Server job must contain both `dialect` and `version`, or neither");
}

TEST(Validation, ServerVersion) {
  EXPECT_EQ(error_of(R"json([{"name": "j", "dialect": "alphafoldserver", "version": 2, "sequences": []}])json"),
            "job.json:1:57: [0].version: unsupported version 2, expected 1");
}

TEST(Validation, ServerGlycans) {
  EXPECT_EQ(error_of(R"json([{"name": "j", "sequences": [{"proteinChain": {"sequence": "MK", "glycans": []}}]}])json"),
            "job.json:1:77: [0].sequences[0].proteinChain.glycans: glycans are not supported in the alphafoldserver dialect; use the alphafold3 dialect with bondedAtomPairs");
}

TEST(Validation, ServerTemplateDate) {
  EXPECT_EQ(error_of(R"json([{"name": "j", "sequences": [{"proteinChain": {"sequence": "MK", "maxTemplateDate": "2020-01-01"}}]}])json"),
            "job.json:1:85: [0].sequences[0].proteinChain.maxTemplateDate: maxTemplateDate is not supported in the alphafoldserver dialect; use AlphaFold 3's --max_template_date flag");
}

TEST(Validation, ServerUnknown) {
  EXPECT_EQ(error_of(R"json([{"name": "j", "sequences": [{"peptide": {"sequence": "MK"}}]}])json"),
            "job.json:1:31: [0].sequences[0].peptide: unknown sequence type 'peptide'; expected proteinChain, rnaSequence, dnaSequence, ligand or ion");
}

TEST(Validation, ServerCount) {
  EXPECT_EQ(error_of(R"json([{"name": "j", "sequences": [{"proteinChain": {"sequence": "MK", "count": -1}}]}])json"),
            "job.json:1:75: [0].sequences[0].proteinChain.count: count must not be negative, found -1");
}

TEST(Validation, ServerSeed) {
  EXPECT_EQ(error_of(R"json([{"name": "j", "modelSeeds": ["x"], "sequences": [{"proteinChain": {"sequence": "MK"}}]}])json"),
            R"json(job.json:1:31: [0].modelSeeds[0]: seed must be an integer from 0 to 4294967295, found "x")json");
}

TEST(Validation, NotObject) {
  EXPECT_EQ(error_of(R"json("just a string")json"),
            "job.json:1:1: expected a JSON object (AlphaFold 3 input) or a list of AlphaFold Server jobs, found string");
}

TEST(Validation, ValidInputHasNoError) {
  EXPECT_EQ(error_of(R"({"dialect": "alphafold3", "version": 1, "name": "ok", "modelSeeds": [1, 2],
                        "sequences": [{"protein": {"id": ["A", "B"], "sequence": "MKV"}}]})"),
            "");
}

}  // namespace
}  // namespace foldfit
