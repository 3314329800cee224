// Golden token counts: each case's expected figure is derived in the comment from
// AlphaFold 3's rules and the CCD (see docs/tokens.md).
#include <gtest/gtest.h>

#include "foldfit/common/embedded.hpp"
#include "foldfit/sizes/sizes.hpp"

namespace foldfit {
namespace {

Sizes size_text(const std::string& json, SizeOptions options = {}) {
  std::vector<Input> inputs = read_input_text(json, "test.json", ReadOptions{});
  EXPECT_EQ(inputs.size(), 1u);
  Ccd base;
  Ccd ccd = ccd_for_input(inputs.front(), base);
  return size_input(inputs.front(), ccd, options);
}

std::string af3(const std::string& sequences, const std::string& extra = "") {
  return R"({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [)" + sequences +
         "]" + extra + "}";
}

TEST(Golden, ReadmeExample2PV7) {
  const std::string seq =
      "GMRESYANENQFGFKTINSDIHKIVIVGGYGKLGGLFARYLRASGYPISILDREDWAVAESILANADVVIVSVPINLTLETIERLKPYLTENMLLADLTSVKREPLAKML"
      "EVHTGAVLGLHPMFGADIASMAKQVVVRCDGRFPERYEWLLEQIQIWGAKIYQTNATEHDHNMTYIQALRHFSTFANGLHLSKQPINLANLLALSSPIYRLELAMIGRLF"
      "AQDAELYADIIMDKSENLAVIETLKQTYDEALTFFENNDRQGFIDAFHKVRDWFGDYSEQFLKESRQLLQQANDLKQG";
  Sizes s = size_text(af3(R"({"protein": {"id": ["A", "B"], "sequence": ")" + seq + R"("}})"));
  EXPECT_EQ(s.tokens, 596);
  EXPECT_EQ(s.padded_tokens, 768);
  EXPECT_EQ(s.flat_atoms, 18432);  // ceil(24 * 768 / 32) * 32
  EXPECT_EQ(s.chains, 2u);
  EXPECT_TRUE(s.homomer);
}

// SEP (11 heavy atoms, leaving OXT) is one token per atom; OXT goes unless C-terminal.
TEST(Golden, ProteinWithPhosphoserine) {
  const char* mid = R"({"protein": {"id": "A", "sequence": "MVLSEGEWQLVLHVWAKVEAD",
                        "modifications": [{"ptmType": "SEP", "ptmPosition": 4}]}})";
  EXPECT_EQ(size_text(af3(mid)).tokens, 20 + 10);
  const char* end = R"({"protein": {"id": "A", "sequence": "MVLSEGEWQLVLHVWAKVEAS",
                        "modifications": [{"ptmType": "SEP", "ptmPosition": 21}]}})";
  EXPECT_EQ(size_text(af3(end)).tokens, 20 + 11);
}

// MSE is a standard residue for the tokenizer: one token.
TEST(Golden, SelenomethionineIsOneToken) {
  const char* j = R"({"protein": {"id": "A", "sequence": "MMMM", "modifications": [{"ptmType": "MSE", "ptmPosition": 2}]}})";
  EXPECT_EQ(size_text(af3(j)).tokens, 4);
}

TEST(Golden, AtpAndMagnesium) {
  Sizes s = size_text(af3(R"({"ligand": {"id": "B", "ccdCodes": ["ATP"]}}, {"ligand": {"id": "C", "ccdCodes": ["MG"]}})"));
  EXPECT_EQ(s.tokens, 31 + 1);
  EXPECT_EQ(s.padded_tokens, 256);  // v3.0.4 buckets (main would pad to 128)
  EXPECT_EQ(s.chains, 2u);
  EXPECT_FALSE(s.homomer);
}

TEST(Golden, SmilesLigandCountsHeavyAtoms) {
  // Aspirin, C9H8O4: 13 heavy atoms.
  Sizes s = size_text(af3(R"({"ligand": {"id": "L", "smiles": "CC(=O)Oc1ccccc1C(=O)O"}})"));
  EXPECT_EQ(s.tokens, 13);
}

// NAG has 15 heavy atoms with leaving atom O1; a glycan drops O1 unless O1 is bonded.
TEST(Golden, GlycanWithBondedAtomPairs) {
  std::string seqs = R"({"protein": {"id": "A", "sequence": "ACDNATG"}},
                        {"ligand": {"id": "G", "ccdCodes": ["NAG", "NAG"]}})";
  std::string bonds = R"(, "bondedAtomPairs": [[["A", 4, "ND2"], ["G", 1, "C1"]], [["G", 1, "O4"], ["G", 2, "C1"]]])";
  Sizes s = size_text(af3(seqs, bonds));
  EXPECT_EQ(s.chain_sizes[1].tokens, 14 + 14);
  EXPECT_EQ(s.tokens, 7 + 28);
  // O1 itself bonded: kept on that residue.
  std::string o1 = R"(, "bondedAtomPairs": [[["A", 4, "ND2"], ["G", 1, "O1"]]])";
  EXPECT_EQ(size_text(af3(seqs, o1)).chain_sizes[1].tokens, 15 + 14);
}

TEST(Golden, StandaloneGlycanFlag) {
  std::string j = af3(R"({"ligand": {"id": "G", "ccdCodes": ["NAG"]}})");
  EXPECT_EQ(size_text(j).tokens, 14);  // AlphaFold 3's default drops O1 even unbonded
  SizeOptions fix;
  fix.fix_standalone_glycans = true;
  EXPECT_EQ(size_text(j, fix).tokens, 15);
}

// PSU: 21 heavy atoms, leaving OP3, dropped unless it is the first residue.
TEST(Golden, RnaWithModifiedBase) {
  const char* j = R"({"rna": {"id": "R", "sequence": "AGCUAGCU", "modifications": [{"modificationType": "PSU", "basePosition": 4}]}})";
  EXPECT_EQ(size_text(af3(j)).tokens, 7 + 20);
  const char* first = R"({"rna": {"id": "R", "sequence": "UGCUAGCU", "modifications": [{"modificationType": "PSU", "basePosition": 1}]}})";
  EXPECT_EQ(size_text(af3(first)).tokens, 7 + 21);
}

TEST(Golden, Dna) {
  EXPECT_EQ(size_text(af3(R"({"dna": {"id": "D", "sequence": "GATTACA"}})")).tokens, 7);
  const char* mod = R"({"dna": {"id": "D", "sequence": "GACTACA", "modifications": [{"modificationType": "5CM", "basePosition": 3}]}})";
  EXPECT_EQ(size_text(af3(mod)).tokens, 6 + 20);
}

TEST(Golden, UnknownLettersAreOneTokenEach) {
  EXPECT_EQ(size_text(af3(R"({"protein": {"id": "A", "sequence": "MKXBZ"}})")).tokens, 5);
}

TEST(Golden, AllUnknownChainIsDropped) {
  Sizes s = size_text(af3(R"({"protein": {"id": "A", "sequence": "MKV"}}, {"protein": {"id": "B", "sequence": "XXXX"}})"));
  EXPECT_EQ(s.tokens, 3);
  EXPECT_EQ(s.chains, 1u);
  EXPECT_TRUE(s.chain_sizes[1].dropped);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_EQ(s.warnings[0], "chain B: every residue is UNK; AlphaFold 3 drops such chains");
}

TEST(Golden, AlphaFoldServerJobWithCountsAndIon) {
  const char* job = R"([{"name": "server job", "modelSeeds": ["7"], "sequences": [
      {"proteinChain": {"sequence": "MKVLA", "count": 2}},
      {"ion": {"ion": "MG", "count": 3}},
      {"ligand": {"ligand": "CCD_ATP"}}]}])";
  std::vector<Input> inputs = read_input_text(job, "server.json", ReadOptions{});
  ASSERT_EQ(inputs.size(), 1u);
  const Input& in = inputs[0];
  EXPECT_EQ(in.dialect, "alphafoldserver");
  ASSERT_EQ(in.entities.size(), 3u);
  EXPECT_EQ(in.entities[0].ids, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(in.entities[1].ids, (std::vector<std::string>{"C", "D", "E"}));
  EXPECT_EQ(in.entities[2].ids, (std::vector<std::string>{"F"}));
  EXPECT_EQ(in.entities[2].ccd_codes[0].value, "ATP");
  EXPECT_EQ(in.seeds, (std::vector<std::uint32_t>{7}));
  Ccd ccd;
  Sizes s = size_input(in, ccd, {});
  EXPECT_EQ(s.tokens, 2 * 5 + 3 + 31);
  EXPECT_EQ(s.chains, 6u);
}

TEST(Golden, ServerChainIdsContinuePastZ) {
  const char* job = R"([{"name": "many", "sequences": [{"ion": {"ion": "ZN", "count": 28}}]}])";
  std::vector<Input> in = read_input_text(job, "s.json", ReadOptions{});
  EXPECT_EQ(in[0].entities[0].ids[25], "Z");
  EXPECT_EQ(in[0].entities[0].ids[26], "AA");
  EXPECT_EQ(in[0].entities[0].ids[27], "BA");
  EXPECT_TRUE(in[0].seeds_sampled);
}

TEST(Golden, UserCcdComponent) {
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
  Sizes s = size_text(af3(R"({"ligand": {"id": "L", "ccdCodes": ["MYL"]}})", R"(, "userCCD": ")" + escaped + "\""));
  EXPECT_EQ(s.tokens, 3);
}

TEST(Buckets, Edges) {
  Buckets b;  // v3.0.4's list, the newest tagged release
  EXPECT_EQ(b.pad(1), 256);
  EXPECT_EQ(b.pad(256), 256);
  EXPECT_EQ(b.pad(257), 512);
  EXPECT_EQ(b.pad(384), 512);
  EXPECT_EQ(b.pad(512), 512);
  EXPECT_EQ(b.pad(513), 768);
  EXPECT_EQ(b.pad(5120), 5120);
  EXPECT_EQ(b.pad(5121), 5121);  // above the largest bucket: exact size
  EXPECT_TRUE(b.above_largest(5121));
  EXPECT_FALSE(b.above_largest(5120));
  EXPECT_EQ(flat_atoms(5121), 122912);  // ceil(24 * 5121 / 32) * 32
  EXPECT_EQ(flat_atoms(768), 18432);
  Buckets main(*find_af3_release("main"));  // 128 and 384 added after v3.0.4
  EXPECT_EQ(main.pad(1), 128);
  EXPECT_EQ(main.pad(129), 256);
  EXPECT_EQ(main.pad(384), 384);
}

TEST(Buckets, CustomList) {
  Buckets b = Buckets::parse("100, 200,4000");
  EXPECT_EQ(b.pad(150), 200);
  EXPECT_EQ(b.pad(4001), 4001);
  EXPECT_EQ(b.to_string(), "100,200,4000");
}

TEST(Buckets, InvalidLists) {
  auto message = [](const char* text) {
    try {
      Buckets::parse(text);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(""), "--buckets: element 1 ('') is not an integer");
  EXPECT_EQ(message("256,128"), "--buckets: buckets must be strictly increasing: 128 follows 256");
  EXPECT_EQ(message("256,256"), "--buckets: buckets must be strictly increasing: 256 follows 256");
  EXPECT_EQ(message("256,x"), "--buckets: element 2 ('x') is not an integer");
  EXPECT_EQ(message("0,128"), "--buckets: bucket 0 is not a positive size");
}

TEST(Buckets, CustomBucketsChangePadding) {
  SizeOptions o;
  o.buckets = Buckets::parse("600,1000");
  Sizes s = size_text(af3(R"({"protein": {"id": ["A", "B"], "sequence": ")" + std::string(298, 'A') + R"("}})"), o);
  EXPECT_EQ(s.padded_tokens, 600);
}

TEST(Ccd, EveryBuiltinRowIsFoundByBinarySearch) {
  // The embedded table must stay sorted by code for lookups to work.
  Ccd ccd;
  EXPECT_GT(ccd.builtin_size(), 40000u);
  std::string_view tsv = embedded::ccd_atoms_tsv();
  std::size_t pos = tsv.find('\n') + 1, rows = 0;
  while (pos < tsv.size()) {
    std::size_t eol = tsv.find('\n', pos);
    std::string code(tsv.substr(pos, tsv.find('\t', pos) - pos));
    ASSERT_NE(ccd.find(code), nullptr) << code;
    ++rows;
    pos = eol + 1;
  }
  EXPECT_EQ(rows, ccd.builtin_size());
  EXPECT_EQ(ccd.find("XYZ1"), nullptr);
  EXPECT_TRUE(ccd.find("NAG")->glycan);
  EXPECT_FALSE(ccd.find("ATP")->glycan);
}

}  // namespace
}  // namespace foldfit
