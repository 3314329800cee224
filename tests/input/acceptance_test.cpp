// Parity with AlphaFold 3's acceptance, release by release: one test per rule of the table
// in docs/input.md ("Acceptance by release"). Each asserts the exact message (file,
// line:column and JSON path) or, where AlphaFold 3 is lenient, the warning.
#include <gtest/gtest.h>

#include "foldfit/sizes/sizes.hpp"

namespace foldfit {
namespace {

struct Outcome {
  std::string error;                  // "" when accepted
  std::vector<std::string> warnings;  // reader and sizing warnings
  std::vector<std::uint32_t> seeds;
  int version = 0;
};

// Reads and sizes `json` as "job.json" under AlphaFold 3 `release`.
Outcome outcome_of(const std::string& json, const std::string& release = "v3.0.4") {
  Outcome o;
  try {
    ReadOptions ro;
    ro.release = find_af3_release(release);
    SizeOptions so;
    so.release.release = ro.release;
    Ccd base;
    for (const Input& in : read_input_text(json, "job.json", ro, &o.warnings)) {
      Ccd ccd = ccd_for_input(in, base);
      Sizes s = size_input(in, ccd, so);
      o.warnings.insert(o.warnings.end(), s.warnings.begin(), s.warnings.end());
      o.seeds = in.seeds;
      o.version = in.version;
    }
  } catch (const InputError& e) {
    o.error = e.what();
  }
  return o;
}

std::string job(const std::string& sequences, const std::string& extra = "", const std::string& seeds = "[1]",
                const std::string& version = "4") {
  return R"({"dialect": "alphafold3", "version": )" + version + R"(, "name": "t", "modelSeeds": )" + seeds +
         R"(, "sequences": [)" + sequences + "]" + extra + "}";
}

const std::string kProtein = R"({"protein": {"id": "A", "sequence": "MK"}})";

// A user component with atoms C1, C2, O1 and H1 (hydrogens count: AlphaFold 3 checks every
// _chem_comp_atom.atom_id).
std::string user_ccd() {
  const std::string cif =
      "data_MYL\n_chem_comp.id MYL\n_chem_comp.name 'my ligand'\n_chem_comp.type non-polymer\n"
      "_chem_comp.formula 'C2 O'\n_chem_comp.mon_nstd_parent_comp_id ?\n_chem_comp.pdbx_synonyms ?\n"
      "_chem_comp.formula_weight 40.0\nloop_\n_chem_comp_atom.comp_id\n_chem_comp_atom.atom_id\n"
      "_chem_comp_atom.type_symbol\n_chem_comp_atom.charge\n_chem_comp_atom.pdbx_model_Cartn_x_ideal\n"
      "_chem_comp_atom.pdbx_model_Cartn_y_ideal\n_chem_comp_atom.pdbx_model_Cartn_z_ideal\n"
      "MYL C1 C 0 0 0 0\nMYL C2 C 0 1 0 0\nMYL O1 O 0 2 0 0\nMYL H1 H 0 3 0 0\nloop_\n"
      "_chem_comp_bond.atom_id_1\n_chem_comp_bond.atom_id_2\n_chem_comp_bond.value_order\n"
      "_chem_comp_bond.pdbx_aromatic_flag\nC1 C2 SING N\nC2 O1 SING N\nC1 H1 SING N\n";
  std::string escaped;
  for (char c : cif) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  return R"(, "userCCD": ")" + escaped + "\"";
}

std::string bonded(const std::string& atom, const std::string& version = "4") {
  return job(R"({"protein": {"id": "A", "sequence": "CK"}}, {"ligand": {"id": "L", "ccdCodes": ["MYL"]}})",
             R"(, "bondedAtomPairs": [[["A", 1, "SG"], ["L", 1, ")" + atom + R"("]]])" + user_ccd(), "[1]", version);
}

TEST(InputAcceptance, BondAtomNotInComponent) {
  Outcome o = outcome_of(bonded("CHA"));
  EXPECT_EQ(o.error,
            "job.json:1:215: bondedAtomPairs[0][1]: bonded atom 'CHA' (chain L, residue 1) is not an atom of component "
            "MYL (from userCCD of job.json; its atoms: C1, C2, O1, H1); AlphaFold 3 refuses the input");
}

TEST(InputAcceptance, BondAtomNotInBuiltinComponent) {
  // The built-in table holds every atom name of each component (data/ccd_atoms.tsv).
  const std::string atp = R"({"protein": {"id": "A", "sequence": "CK"}}, {"ligand": {"id": "L", "ccdCodes": ["ATP"]}})";
  auto bond = [&](const std::string& a, const std::string& b) {
    return job(atp, R"(, "bondedAtomPairs": [[["A", 1, ")" + a + R"("], ["L", 1, ")" + b + R"("]]])");
  };
  const std::string cha =
      "job.json:1:215: bondedAtomPairs[0][1]: bonded atom 'CHA' (chain L, residue 1) is not an atom of component ATP "
      "(from the built-in CCD table (wwPDB, 2023-06-23); its atoms: PG, O1G, O2G, O3G, PB, ";
  EXPECT_EQ(outcome_of(bond("SG", "CHA")).error.substr(0, cha.size()), cha);
  EXPECT_EQ(outcome_of(bond("SG", "PG")).error, "");
  EXPECT_EQ(outcome_of(bond("SG", "HN61")).error, "");  // a hydrogen of ATP
  const std::string xx =
      "job.json:1:199: bondedAtomPairs[0][0]: bonded atom 'XX' (chain A, residue 1) is not an atom of component CYS "
      "(from the built-in CCD table (wwPDB, 2023-06-23); its atoms: N, CA, C, O, CB, SG, OXT, H, H2, HA, HB2, HB3, "
      "HG, HXT); AlphaFold 3 refuses the input";
  EXPECT_EQ(outcome_of(bond("XX", "PG")).error, xx);
}

TEST(InputAcceptance, EmptyUserCcd) {
  // AlphaFold 3 passes "" on to featurisation, which raises "User CCD cannot be an empty string".
  EXPECT_EQ(outcome_of(job(kProtein, R"(, "userCCD": "")")).error,
            "job.json:1:143: userCCD: the user CCD is empty; AlphaFold 3 refuses it when it featurises, after the data "
            "pipeline (\"User CCD cannot be an empty string\"): leave userCCD out or set it to null");
  EXPECT_EQ(outcome_of(job(kProtein, R"(, "userCCD": null)")).error, "");
}

TEST(InputAcceptance, BondAtomHydrogenAccepted) {
  // AlphaFold 3 checks the bonded atom against every atom of the component, hydrogens too.
  EXPECT_EQ(outcome_of(bonded("H1")).error, "");
  EXPECT_EQ(outcome_of(bonded("O1")).error, "");
}

TEST(InputAcceptance, BondAtomUncheckedBeforeV302) {
  // v3.0.0 and v3.0.1 give the atom the element '?' instead of refusing it.
  Outcome o = outcome_of(bonded("CHA", "2"), "v3.0.1");
  EXPECT_EQ(o.error, "");
  ASSERT_EQ(o.warnings.size(), 1u);
  EXPECT_NE(o.warnings[0].find("job.json:1:215: bondedAtomPairs[0][1]: bonded atom 'CHA'"), std::string::npos) << o.warnings[0];
  EXPECT_NE(o.warnings[0].find("AlphaFold 3 v3.0.1 does not check this"), std::string::npos) << o.warnings[0];
}

TEST(InputAcceptance, UnpairedMsaWithoutPaired) {
  EXPECT_EQ(outcome_of(job(R"({"protein": {"id": "A", "sequence": "MK", "unpairedMsa": ">q\nMK\n"}})")).error,
            "job.json:1:144: sequences[0].protein.unpairedMsa: protein chain A sets unpairedMsa but not pairedMsa: "
            "AlphaFold 3 v3.0.4 refuses MSAs set only partially in the data pipeline; give all three (an empty string "
            "for no MSA, [] for no templates), or none to let the data pipeline search");
}

TEST(InputAcceptance, PairedMsaWithoutUnpaired) {
  EXPECT_EQ(outcome_of(job(R"({"protein": {"id": "A", "sequence": "MK", "pairedMsa": "", "templates": []}})")).error,
            "job.json:1:142: sequences[0].protein.pairedMsa: protein chain A sets pairedMsa but not unpairedMsa: "
            "AlphaFold 3 v3.0.4 refuses MSAs set only partially in the data pipeline; give all three (an empty string "
            "for no MSA, [] for no templates), or none to let the data pipeline search");
}

TEST(InputAcceptance, TemplatesWithoutMsas) {
  EXPECT_EQ(outcome_of(job(R"({"protein": {"id": "A", "sequence": "MK", "templates": [{"mmcif": "data_x", "queryIndices": [0], "templateIndices": [0]}]}})")).error,
            "job.json:1:142: sequences[0].protein.templates: protein chain A gives templates without MSAs: AlphaFold 3 "
            "v3.0.4 refuses templates set without unpairedMsa and pairedMsa in the data pipeline; give all three (an "
            "empty string for no MSA, [] for no templates), or none to let the data pipeline search");
}

TEST(InputAcceptance, MsaSetsAccepted) {
  // Both MSAs without templates (templates are searched), no templates ([]) without MSAs,
  // all three: AlphaFold 3 v3.0.1 and later run these.
  EXPECT_EQ(outcome_of(job(R"({"protein": {"id": "A", "sequence": "MK", "unpairedMsa": "", "pairedMsa": ""}})")).error, "");
  EXPECT_EQ(outcome_of(job(R"({"protein": {"id": "A", "sequence": "MK", "templates": []}})")).error, "");
  EXPECT_EQ(outcome_of(job(R"({"protein": {"id": "A", "sequence": "MK", "unpairedMsa": "", "pairedMsa": "", "templates": []}})")).error, "");
}

TEST(InputAcceptance, MsaWithoutTemplatesV300) {
  // v3.0.0: once an MSA is non-empty, templates must be set too.
  const std::string j = job(R"({"protein": {"id": "A", "sequence": "MK", "unpairedMsa": ">q\nMK\n", "pairedMsa": ""}})", "", "[1]", "1");
  EXPECT_EQ(outcome_of(j, "v3.0.4").error, "");
  EXPECT_EQ(outcome_of(j, "v3.0.0").error,
            "job.json:1:144: sequences[0].protein.unpairedMsa: protein chain A has its MSAs and templates set only "
            "partially (templates not set); AlphaFold 3 v3.0.0 refuses it in the data pipeline: give all three (an "
            "empty string for no MSA, [] for no templates), or none to let the data pipeline search");
}

TEST(InputAcceptance, StringSeed) {
  Outcome o = outcome_of(job(kProtein, "", R"(["42", " 7 ", "1_000"])"));
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.seeds, (std::vector<std::uint32_t>{42, 7, 1000}));
  ASSERT_EQ(o.warnings.size(), 3u);
  EXPECT_EQ(o.warnings[0], "job.json:1:69: modelSeeds[0]: seed \"42\" is a string; AlphaFold 3 reads it as seed 42 (int()); write the number itself");
}

TEST(InputAcceptance, StringSeedNotInteger) {
  EXPECT_EQ(outcome_of(job(kProtein, "", R"(["4.2"])")).error,
            "job.json:1:69: modelSeeds[0]: seed \"4.2\" is not an integer: AlphaFold 3's int() cannot read it");
  EXPECT_EQ(outcome_of(job(kProtein, "", R"(["-3"])")).error,
            "job.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit unsigned), found \"-3\"");
}

TEST(InputAcceptance, FractionalSeedTruncated) {
  Outcome o = outcome_of(job(kProtein, "", "[7.9]"));
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.seeds, (std::vector<std::uint32_t>{7}));
  ASSERT_EQ(o.warnings.size(), 1u);
  EXPECT_EQ(o.warnings[0], "job.json:1:69: modelSeeds[0]: seed 7.9 is not a whole number; AlphaFold 3 reads it as seed 7 (int()); write the number itself");
}

TEST(InputAcceptance, SeedNull) {
  EXPECT_EQ(outcome_of(job(kProtein, "", "[null]")).error,
            "job.json:1:69: modelSeeds[0]: seed must be an integer, found null (AlphaFold 3's int() refuses it)");
}

TEST(InputAcceptance, SeedsAsString) {
  Outcome o = outcome_of(job(kProtein, "", R"("42")"));
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.seeds, (std::vector<std::uint32_t>{4, 2}));
  ASSERT_EQ(o.warnings.size(), 1u);
}

TEST(InputAcceptance, VersionFloat) {
  Outcome o = outcome_of(job(kProtein, "", "[1]", "4.0"));
  EXPECT_EQ(o.error, "");
  EXPECT_EQ(o.version, 4);
  ASSERT_EQ(o.warnings.size(), 1u);
  EXPECT_EQ(o.warnings[0], "job.json:1:38: version: \"version\": 4.0 is read as 4 (AlphaFold 3 compares it with == ); write 4");
  EXPECT_EQ(outcome_of(job(kProtein, "", "[1]", "4.5")).error,
            "job.json:1:38: version: unsupported version 4.5, expected one of 1, 2, 3, 4 (AlphaFold 3 v3.0.4)");
  EXPECT_EQ(outcome_of(job(kProtein, "", "[1]", R"("4")")).error,
            "job.json:1:38: version: unsupported version \"4\", expected one of 1, 2, 3, 4 (AlphaFold 3 v3.0.4)");
}

TEST(InputAcceptance, VersionByRelease) {
  EXPECT_EQ(outcome_of(job(kProtein, "", "[1]", "3"), "v3.0.1").error,
            "job.json:1:38: version: unsupported version 3, expected one of 1, 2 (AlphaFold 3 v3.0.1)");
  EXPECT_EQ(outcome_of(job(kProtein, "", "[1]", "2"), "v3.0.0").error,
            "job.json:1:38: version: unsupported version 2, expected one of 1 (AlphaFold 3 v3.0.0)");
  EXPECT_EQ(outcome_of(job(kProtein, "", "[1]", "1"), "v3.0.0").error, "");
  EXPECT_EQ(outcome_of(job(kProtein, "", "[1]", "4"), "main").error, "");
}

}  // namespace
}  // namespace foldfit
