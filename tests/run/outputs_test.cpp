#include "foldfit/run/outputs.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "foldfit/common/error.hpp"

namespace fs = std::filesystem;

namespace foldfit {
namespace {

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("foldfit_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(Outputs, SanitisedNameAsAlphaFold3) {
  EXPECT_EQ(af3_sanitised_name("My job (v2)/x.y"), "My_job_v2x.y");
}

TEST(Outputs, FinishedOnlyWithRankingScoresAndModel) {
  fs::path out = temp_dir("outputs");
  EXPECT_FALSE(inspect_output(out, "job 1").exists);
  touch(out / "job_1" / "job_1_data.json");
  OutputState s = inspect_output(out, "job 1");
  EXPECT_TRUE(s.exists);
  EXPECT_FALSE(s.empty);
  EXPECT_TRUE(s.has_data_json);
  EXPECT_FALSE(s.finished);
  touch(out / "job_1" / "seed-1_sample-0" / "m.cif");
  touch(out / "job_1" / "job_1_model.cif.zst");
  EXPECT_FALSE(inspect_output(out, "job 1").finished);
  touch(out / "job_1" / "job_1_ranking_scores.csv");
  s = inspect_output(out, "job 1");
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.sample_dirs, std::vector<std::string>{"seed-1_sample-0"});
  fs::remove_all(out);
}

TEST(Outputs, SplitRunsGetDistinctSeeds) {
  EXPECT_EQ(split_run_seeds({5, 9}, 0), (std::vector<std::uint32_t>{5, 9}));
  EXPECT_EQ(split_run_seeds({5, 9}, 1), (std::vector<std::uint32_t>{10, 11}));
  EXPECT_EQ(split_run_seeds({5, 9}, 2), (std::vector<std::uint32_t>{12, 13}));
}

TEST(Outputs, WritesSplitInputs) {
  fs::path dir = temp_dir("split");
  std::ofstream(dir / "job.json") << R"({"dialect": "alphafold3", "version": 2, "name": "j", "modelSeeds": [1],
                                        "sequences": [{"protein": {"id": "A", "sequence": "MK"}}]})";
  std::string name;
  std::string path = write_split_input((dir / "job.json").string(), 1, 2, (dir / "inputs").string(), &name);
  EXPECT_EQ(name, "j_split2of2");
  std::ifstream in(path);
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["name"], "j_split2of2");
  EXPECT_EQ(j["modelSeeds"], nlohmann::json::array({2}));
  EXPECT_EQ(j["sequences"][0]["protein"]["sequence"], "MK");
  std::ofstream(dir / "server.json") << R"([{"name": "s", "sequences": []}])";
  EXPECT_THROW(write_split_input((dir / "server.json").string(), 1, 2, dir.string()), InputError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace foldfit
