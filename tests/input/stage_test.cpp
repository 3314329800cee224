// Staged inputs: copies from id lists and from repeated identical entities, scaled per
// stage; bonds kept, dropped or refused with their location; modifications and *Path
// fields carried over; --stages checked.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "foldfit/input/input.hpp"
#include "foldfit/input/stage.hpp"

namespace foldfit {
namespace {

namespace fs = std::filesystem;

class StageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("foldfit_stage_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "msas");
  }
  void TearDown() override { fs::remove_all(dir_); }

  Input read(const std::string& sequences, const std::string& extra = "") {
    fs::path p = dir_ / "in.json";
    std::ofstream(p) << R"({"dialect": "alphafold3", "version": 2, "name": "job", "modelSeeds": [1],)" << "\n"
                     << R"( "sequences": [)" << sequences << "]" << extra << "}\n";
    std::vector<Input> in = read_input_file(p.string(), ReadOptions{});
    return in.front();
  }
  fs::path dir_;
};

const char* kProtein = "MKTAYIAKQR";

TEST_F(StageTest, IdListIsScaledAndSingleCopyEntitiesKept) {
  Input in = read(std::string(R"({"protein": {"id": ["A", "B", "C", "D"], "sequence": ")") + kProtein +
                  R"(", "modifications": [{"ptmType": "SEP", "ptmPosition": 3}]}},)"
                  R"({"ligand": {"id": ["E", "F", "G", "H"], "ccdCodes": ["ZN"]}},)"
                  R"({"ligand": {"id": "X", "ccdCodes": ["ATP"]}})");
  auto groups = copy_groups(in);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(full_copies(groups), 4u);
  auto doc = source_document(in);
  StagedInput s = stage_input(in, doc, 2);
  EXPECT_EQ(s.name, "job_stage2");
  EXPECT_EQ(s.kept, (std::vector<std::string>{"A", "B", "E", "F", "X"}));
  EXPECT_EQ(s.dropped, (std::vector<std::string>{"C", "D", "G", "H"}));
  const auto& seqs = s.document["sequences"];
  ASSERT_EQ(seqs.size(), 3u);
  EXPECT_EQ(seqs[0]["protein"]["id"], nlohmann::ordered_json({"A", "B"}));
  EXPECT_EQ(seqs[0]["protein"]["modifications"][0]["ptmType"], "SEP");
  EXPECT_EQ(seqs[2]["ligand"]["id"], "X");
  StagedInput one = stage_input(in, doc, 1);
  EXPECT_EQ(one.document["sequences"][0]["protein"]["id"], "A");
  EXPECT_EQ(one.document["name"], "job_stage1");
  // The written stage is a valid AlphaFold 3 input with the chains it says.
  std::vector<Input> back = read_input_text(one.document.dump(2), "stage.json", ReadOptions{});
  EXPECT_EQ(back.front().chain_count(), 3u);
}

TEST_F(StageTest, RepeatedIdenticalEntitiesAreCopies) {
  std::string p = std::string(R"({"protein": {"id": "A", "sequence": ")") + kProtein + R"("}},)";
  std::string q = std::string(R"({"protein": {"id": "B", "sequence": ")") + kProtein + R"("}},)";
  std::string other = R"({"protein": {"id": "C", "sequence": "GGGGSGGGGS"}},)";
  std::string r = std::string(R"({"protein": {"id": "D", "sequence": ")") + kProtein + R"("}})";
  Input in = read(p + q + other + r);
  auto groups = copy_groups(in);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].chains, (std::vector<std::string>{"A", "B", "D"}));
  StagedInput s = stage_input(in, source_document(in), 1);
  EXPECT_EQ(s.kept, (std::vector<std::string>{"A", "C"}));
  EXPECT_EQ(s.document["sequences"].size(), 2u);
  // 3 copies cannot be scaled to 2 of 3 ... only 1 or 3 are whole numbers for the other groups too.
  StagedInput full = stage_input(in, source_document(in), 3);
  EXPECT_EQ(full.kept.size(), 4u);
}

TEST_F(StageTest, CopiesThatDoNotScaleAreRefusedWithTheirPlace) {
  Input in = read(std::string(R"({"protein": {"id": ["A", "B", "C", "D"], "sequence": ")") + kProtein + R"("}},)" +
                  R"({"protein": {"id": ["E", "F"], "sequence": "GGGGSGGGGS"}})");
  auto doc = source_document(in);
  EXPECT_EQ(stage_input(in, doc, 2).kept, (std::vector<std::string>{"A", "B", "E"}));
  try {
    stage_input(in, doc, 1);
    FAIL() << "stage 1 of A4B2 must be refused";
  } catch (const InputError& e) {
    EXPECT_EQ(e.location().path, "sequences[1].protein");
    EXPECT_EQ(e.location().line, 2u);
    EXPECT_GT(e.location().column, 1u);
    EXPECT_NE(std::string(e.what()).find("1x2/4 is not a whole number"), std::string::npos) << e.what();
  }
}

TEST_F(StageTest, BondsFollowTheirChainsOrAreRefused) {
  std::string seqs = std::string(R"({"protein": {"id": ["A", "B", "C", "D"], "sequence": ")") + kProtein +
                     R"("}}, {"ligand": {"id": ["E", "F", "G", "H"], "ccdCodes": ["NAG"]}})";
  Input in = read(seqs, R"(, "bondedAtomPairs": [[["A", 4, "OG1"], ["E", 1, "C1"]], [["C", 4, "OG1"], ["G", 1, "C1"]]])");
  StagedInput s = stage_input(in, source_document(in), 2);
  EXPECT_EQ(s.bonds_kept, 1u);
  EXPECT_EQ(s.bonds_dropped, 1u);
  ASSERT_EQ(s.document["bondedAtomPairs"].size(), 1u);
  EXPECT_EQ(s.document["bondedAtomPairs"][0][1][0], "E");
  // A bond between copies: stage 1 keeps A, drops B.
  Input cross = read(seqs, "\n" R"(, "bondedAtomPairs": [[["A", 1, "N"], ["B", 10, "C"]]])");
  auto doc = source_document(cross);
  EXPECT_EQ(stage_input(cross, doc, 2).bonds_kept, 1u);
  try {
    stage_input(cross, doc, 1);
    FAIL() << "a bond between a kept and a dropped chain must be refused";
  } catch (const InputError& e) {
    EXPECT_EQ(e.location().path, "bondedAtomPairs[0]");
    EXPECT_EQ(e.location().line, 3u);
    EXPECT_NE(std::string(e.what()).find("keeps chain A but drops chain B"), std::string::npos) << e.what();
  }
}

TEST_F(StageTest, RelativePathsBecomeAbsolute) {
  std::ofstream(dir_ / "msas" / "a.a3m") << ">q\nMKTAYIAKQR\n";
  Input in = read(std::string(R"({"protein": {"id": ["A", "B"], "sequence": ")") + kProtein +
                  R"(", "unpairedMsaPath": "msas/a.a3m", "pairedMsa": "", "templates": []}})");
  StagedInput s = stage_input(in, source_document(in), 1);
  std::string path = s.document["sequences"][0]["protein"]["unpairedMsaPath"];
  EXPECT_TRUE(fs::path(path).is_absolute()) << path;
  EXPECT_TRUE(fs::exists(path)) << path;
}

TEST_F(StageTest, NothingToStageAndTheServerDialectAreRefused) {
  Input in = read(std::string(R"({"protein": {"id": "A", "sequence": ")") + kProtein + R"("}})");
  EXPECT_THROW(stage_input(in, source_document(in), 1), InputError);
  Input server = in;
  server.dialect = "alphafoldserver";
  EXPECT_THROW(source_document(server), InputError);
}

TEST(ParseStages, StrictlyIncreasingWithinTheCopies) {
  EXPECT_EQ(parse_stages("1,2,4,8", 8), (std::vector<int>{1, 2, 4, 8}));
  EXPECT_EQ(parse_stages("1,8", 8), (std::vector<int>{1, 8}));
  EXPECT_THROW(parse_stages("2,1", 8), UsageError);
  EXPECT_THROW(parse_stages("1,9", 8), UsageError);
  EXPECT_THROW(parse_stages("0,4", 8), UsageError);
  EXPECT_THROW(parse_stages("1,,4", 8), UsageError);
  EXPECT_THROW(parse_stages("8", 8), UsageError);
  EXPECT_THROW(parse_stages("1,x", 8), UsageError);
}

}  // namespace
}  // namespace foldfit
