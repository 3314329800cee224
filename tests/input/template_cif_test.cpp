// A predicted model's chains as AlphaFold 3 templates: one polymer chain per mmCIF with a
// name and a release date; indices over _entity_poly_seq, unresolved residues counted
// but not mapped; residues checked against the query; attached per entity.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <cif++.hpp>

#include "foldfit/input/input.hpp"
#include "foldfit/input/stage.hpp"
#include "foldfit/input/template_cif.hpp"

namespace foldfit {
namespace {

namespace fs = std::filesystem;

// An AlphaFold 3-style model: chains A and B of entity 1 (MKS), a ZN ligand C; chain B's
// residue 2 has no atoms.
const char* kModel = R"(data_job_stage2
#
_entry.id job_stage2
#
loop_
_chem_comp.id
_chem_comp.type
ALA 'L-peptide linking'
LYS 'L-peptide linking'
MET 'L-peptide linking'
SER 'L-peptide linking'
ZN non-polymer
#
loop_
_entity.id
_entity.type
1 polymer
2 non-polymer
#
_entity_poly.entity_id 1
_entity_poly.type polypeptide(L)
_entity_poly.pdbx_strand_id A,B
#
loop_
_entity_poly_seq.entity_id
_entity_poly_seq.num
_entity_poly_seq.mon_id
_entity_poly_seq.hetero
1 1 MET n
1 2 LYS n
1 3 SER n
#
loop_
_struct_asym.id
_struct_asym.entity_id
A 1
B 1
C 2
#
loop_
_pdbx_poly_seq_scheme.asym_id
_pdbx_poly_seq_scheme.entity_id
_pdbx_poly_seq_scheme.seq_id
_pdbx_poly_seq_scheme.mon_id
_pdbx_poly_seq_scheme.pdb_seq_num
_pdbx_poly_seq_scheme.auth_seq_num
_pdbx_poly_seq_scheme.pdb_mon_id
_pdbx_poly_seq_scheme.auth_mon_id
_pdbx_poly_seq_scheme.pdb_strand_id
_pdbx_poly_seq_scheme.pdb_ins_code
_pdbx_poly_seq_scheme.hetero
A 1 1 MET 1 1 MET MET A . n
A 1 2 LYS 2 2 LYS LYS A . n
A 1 3 SER 3 3 SER SER A . n
B 1 1 MET 1 1 MET MET B . n
B 1 2 LYS 2 2 LYS LYS B . n
B 1 3 SER 3 3 SER SER B . n
#
loop_
_atom_site.group_PDB
_atom_site.id
_atom_site.type_symbol
_atom_site.label_atom_id
_atom_site.label_alt_id
_atom_site.label_comp_id
_atom_site.label_asym_id
_atom_site.label_entity_id
_atom_site.label_seq_id
_atom_site.pdbx_PDB_ins_code
_atom_site.Cartn_x
_atom_site.Cartn_y
_atom_site.Cartn_z
_atom_site.occupancy
_atom_site.B_iso_or_equiv
_atom_site.auth_seq_id
_atom_site.auth_asym_id
_atom_site.pdbx_PDB_model_num
ATOM 1 C CA . MET A 1 1 ? 0.0 0.0 0.0 1.00 90.0 1 A 1
ATOM 2 C CA . LYS A 1 2 ? 3.8 0.0 0.0 1.00 90.0 2 A 1
ATOM 3 C CA . SER A 1 3 ? 7.6 0.0 0.0 1.00 90.0 3 A 1
ATOM 4 C CA . MET B 1 1 ? 0.0 9.0 0.0 1.00 80.0 1 B 1
ATOM 5 C CA . SER B 1 3 ? 7.6 9.0 0.0 1.00 80.0 3 B 1
HETATM 6 ZN ZN . ZN C 2 . ? 3.8 4.5 0.0 1.00 70.0 1 C 1
#
)";

class TemplateCifTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("foldfit_tpl_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  Input read(const std::string& sequences) {
    fs::path p = dir_ / "next.json";
    std::ofstream(p) << R"({"dialect": "alphafold3", "version": 2, "name": "job_stage4", "modelSeeds": [1],)"
                     << R"( "sequences": [)" << sequences << "]}\n";
    return read_input_file(p.string(), ReadOptions{}).front();
  }
  fs::path dir_;
};

TEST_F(TemplateCifTest, ChainsAreThePolymerChains) {
  ModelCif m(kModel, "model.cif");
  EXPECT_EQ(m.chains(), (std::vector<std::string>{"A", "B"}));
}

TEST_F(TemplateCifTest, ExtractsOneChainWithNameDateAndIndices) {
  Input in = read(R"({"protein": {"id": ["A", "B", "C", "D"], "sequence": "MKS"}})");
  ModelCif m(kModel, "model.cif");
  ChainTemplate b = m.extract("B", in.entities[0]);
  EXPECT_EQ(b.residues, 3u);
  EXPECT_EQ(b.resolved, 2u);
  // Residue 2 is unresolved: counted in the template's numbering, not mapped.
  EXPECT_EQ(b.query_indices, (std::vector<std::int64_t>{0, 2}));
  EXPECT_EQ(b.template_indices, (std::vector<std::int64_t>{0, 2}));
  // The mmCIF AlphaFold 3 is given: one block, one polymer chain, a release date.
  ::cif::file f;  // libcifpp: a second, independent reader of what foldfit writes
  std::istringstream is(b.mmcif);
  f.load(is);
  ASSERT_EQ(f.size(), 1u);
  auto& db = f.front();
  EXPECT_EQ(db.name(), "job_stage2_B");
  EXPECT_EQ(db["entry"].front()["id"].as<std::string>(), "job_stage2_B");
  EXPECT_EQ(db["pdbx_audit_revision_history"].front()["revision_date"].as<std::string>(), kTemplateReleaseDate);
  EXPECT_EQ(db["atom_site"].size(), 2u);
  for (auto r : db["atom_site"]) EXPECT_EQ(r["label_asym_id"].as<std::string>(), "B");
  EXPECT_EQ(db["struct_asym"].size(), 1u);
  EXPECT_EQ(db["pdbx_poly_seq_scheme"].size(), 3u);
  EXPECT_EQ(db["entity_poly_seq"].size(), 3u);
  EXPECT_EQ(db["entity"].size(), 1u);
  EXPECT_EQ(db["entity"].front()["id"].as<std::string>(), "1");
}

// fuzz_template_cif, "a written template does not read back": a value starting with '_'
// in a loop's first column is a name to AlphaFold 3's reader, quoted or not. The writer
// puts a column without such values first, and refuses a table that has none.
TEST_F(TemplateCifTest, ValuesStartingWithUnderscoreReadBack) {
  Input in = read(R"({"protein": {"id": "A", "sequence": "MKS"}})");
  const std::string table =
      "loop_\n_chem_comp.id\n_chem_comp.type\nALA 'L-peptide linking'\nLYS 'L-peptide linking'\n"
      "MET 'L-peptide linking'\nSER 'L-peptide linking'\nZN non-polymer\n";
  auto with = [&](const std::string& replacement) {
    std::string model = kModel;
    model.replace(model.find(table), table.size(), replacement);
    return model;
  };
  // A loop of two categories: _chem_comp.type's values start with '_' but are not first.
  ChainTemplate a =
      ModelCif(with("loop_\n_x.tag\n_chem_comp.type\n_chem_comp.id\nt _L MET\nt _L LYS\nt '_L' SER\n"), "model.cif")
          .extract("A", in.entities[0]);
  EXPECT_NE(a.mmcif.find("loop_\n_chem_comp.id\n_chem_comp.type\n"), std::string::npos) << a.mmcif;
  EXPECT_EQ(ModelCif(a.mmcif, "written.cif").chains(), std::vector<std::string>{"A"});
  // Written alone, its only column would start with '_': refused where the table is.
  try {
    ModelCif(with("loop_\n_x.tag\n_chem_comp.id\nt _MET\nt _LYS\n"), "model.cif").extract("A", in.entities[0]);
    FAIL() << "expected a refusal";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "model.cif:8:3: every item of _chem_comp has a value that starts with '_': "
                                     "AlphaFold 3 would read such a table back as item names");
  }
}

// fuzz_template_cif, "a written template does not read back": a model named data_'job
// without _entry gave "_entry.id 'job_A", a quote never closed. Names are written quoted
// where they must be, and white space in a block name becomes '_'.
TEST_F(TemplateCifTest, NamesThatNeedQuotingReadBack) {
  Input in = read(R"({"protein": {"id": "A", "sequence": "MKS"}})");
  std::string model = kModel;
  model.replace(0, std::string("data_job_stage2\n#\n_entry.id job_stage2\n").size(), "data_'job\n");
  ChainTemplate a = ModelCif(model, "model.cif").extract("A", in.entities[0]);
  EXPECT_NE(a.mmcif.find("_entry.id \"'job_A\"\n"), std::string::npos) << a.mmcif;
  EXPECT_EQ(ModelCif(a.mmcif, "written.cif").chains(), std::vector<std::string>{"A"});
}

TEST_F(TemplateCifTest, ResiduesMustMatchTheQuery) {
  ModelCif m(kModel, "model.cif");
  Input other = read(R"({"protein": {"id": "A", "sequence": "MKT"}})");
  try {
    m.extract("A", other.entities[0]);
    FAIL() << "a different sequence must be refused";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("chain A residue 3 is SER, the query has T there"), std::string::npos) << e.what();
  }
  Input longer = read(R"({"protein": {"id": "A", "sequence": "MKSS"}})");
  EXPECT_THROW(m.extract("A", longer.entities[0]), InputError);
  EXPECT_THROW(m.extract("Q", longer.entities[0]), InputError);
  // A modified residue must be the query's modification: SER at 3 against SEP is refused.
  Input mod = read(R"({"protein": {"id": "A", "sequence": "MKS", "modifications": [{"ptmType": "SEP", "ptmPosition": 3}]}})");
  EXPECT_THROW(m.extract("A", mod.entities[0]), InputError);
  EXPECT_THROW(ModelCif("not a cif", "bad.cif"), InputError);
}

TEST_F(TemplateCifTest, AttachesToTheEntitiesWhoseChainsTheModelHas) {
  Input in = read(R"({"protein": {"id": ["A", "B", "C", "D"], "sequence": "MKS", "unpairedMsa": "", "pairedMsa": ""}},)"
                  R"({"protein": {"id": "E", "sequence": "GGG", "unpairedMsa": "", "pairedMsa": "", "templates": []}},)"
                  R"({"ligand": {"id": "F", "ccdCodes": ["ZN"]}})");
  ModelCif m(kModel, "model.cif");
  AttachedTemplates a = attach_templates(in, source_document(in), m);
  EXPECT_EQ(a.attached, 2u);
  const auto& t = a.document["sequences"][0]["protein"]["templates"];
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0]["queryIndices"], nlohmann::ordered_json({0, 1, 2}));
  EXPECT_EQ(t[1]["templateIndices"], nlohmann::ordered_json({0, 2}));
  EXPECT_NE(t[1]["mmcif"].get<std::string>().find("data_job_stage2_B"), std::string::npos);
  EXPECT_EQ(a.document["sequences"][1]["protein"]["templates"], nlohmann::ordered_json::array());
  ASSERT_EQ(a.notes.size(), 3u);
  EXPECT_NE(a.notes[0].find("template search is replaced"), std::string::npos) << a.notes[0];
  // The result is a valid AlphaFold 3 input with the templates counted.
  auto back = read_input_text(a.document.dump(), (dir_ / "with.json").string(), ReadOptions{});
  ASSERT_TRUE(back.front().entities[0].templates.has_value());
  EXPECT_EQ(back.front().entities[0].templates->size(), 2u);
  EXPECT_EQ(back.front().entities[0].templates->at(1).query_indices, (std::vector<std::int64_t>{0, 2}));
}

TEST_F(TemplateCifTest, AnEntityWithoutBothMsasIsRefusedWhereItIs) {
  // AlphaFold 3's data pipeline refuses templates without both MSAs; the entity is named.
  Input in = read(R"({"protein": {"id": ["A", "B"], "sequence": "MKS"}})");
  ModelCif m(kModel, "model.cif");
  try {
    attach_templates(in, source_document(in), m);
    FAIL() << "attached templates to an entity without MSAs";
  } catch (const InputError& e) {
    EXPECT_EQ(e.location().path, "sequences[0].protein");
    EXPECT_GT(e.location().line, 0u);
    EXPECT_NE(e.message().find("protein chain A has no unpairedMsa and pairedMsa"), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace foldfit
