#include "foldfit/run/runner.hpp"

#include "fixed_ladder.hpp"
#include "foldfit/report/run_progress.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace foldfit {
namespace {

// A fake AlphaFold 3: runs out of memory above `max_samples` samples per process, else
// writes the outputs run_alphafold.py writes.
class FakeAf3 final : public ProcessLauncher {
 public:
  int max_samples = 5;
  bool fail_otherwise = false;
  std::vector<std::vector<std::string>> launched;

  ProcessResult run(const ProcessSpec& spec, ProcessObserver& obs) override {
    launched.push_back(spec.argv);
    auto flag = [&](const std::string& name) {
      for (const auto& a : spec.argv)
        if (a.rfind("--" + name + "=", 0) == 0) return a.substr(name.size() + 3);
      return std::string();
    };
    ProcessResult r;
    r.started = true;
    obs.on_start(4242);
    std::ifstream in(flag("json_path"));
    auto job = nlohmann::json::parse(in);
    std::string name = job["name"];
    obs.on_line("Running fold job " + name + "...");
    obs.on_line("Featurising data with 1 seed(s)...");
    obs.on_line("Running model inference with seed 1...");
    obs.on_tick(4242, 1.0);
    fs::path dir = fs::path(flag("output_dir")) / name;
    fs::create_directories(dir);
    std::ofstream(dir / (name + "_data.json")) << job.dump();
    if (std::stoi(flag("num_diffusion_samples")) > max_samples) {
      obs.on_line("W bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory trying to allocate 2.00GiB (rounded to 2147483648)requested by op ");
      obs.on_line("I bfc_allocator.cc:1049] Sum Total of in-use chunks: 10.00GiB");
      obs.on_line("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 2147483648 bytes.");
      r.exit_code = 1;
      return r;
    }
    if (fail_otherwise) {
      obs.on_line("ValueError: Fold input has no chains.");
      r.exit_code = 1;
      return r;
    }
    std::ofstream(dir / (name + "_model.cif")) << "data_x\n";
    std::ofstream(dir / (name + "_ranking_scores.csv")) << "seed,sample,ranking_score\n";
    obs.on_line("Fold job " + name + " done, output written to " + dir.string());
    r.exit_code = 0;
    return r;
  }
};

class MemoryJournal final : public RunJournal {
 public:
  std::vector<RunRecord> rows;
  std::vector<std::pair<std::int64_t, RunOutcome>> transitions;
  std::int64_t add(const RunRecord& r) override {
    rows.push_back(r);
    rows.back().id = static_cast<std::int64_t>(rows.size());
    transitions.emplace_back(rows.back().id, r.outcome);
    return rows.back().id;
  }
  void update(const RunRecord& r) override {
    rows.at(static_cast<std::size_t>(r.id - 1)) = r;
    transitions.emplace_back(r.id, r.outcome);
  }
};

struct Events final : RunEvents {
  std::vector<std::string> seen;
  void on_skip(const RunInput& in, const std::string&) override { seen.push_back("skip " + in.name); }
  void on_rung(const RunInput& in, const Rung&, int attempt) override { seen.push_back(in.name + " rung " + std::to_string(attempt)); }
};

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("foldfit_runner_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    settings.af3_command = {"python3", "run_alphafold.py"};
    settings.output_dir = (dir / "out").string();
    settings.work_dir = (dir / "out" / ".foldfit").string();
    settings.max_retries = 3;
  }
  void TearDown() override { fs::remove_all(dir); }
  RunInput input(const std::string& name, std::int64_t padded) {
    fs::path p = dir / (name + ".json");
    std::ofstream(p) << nlohmann::json{{"dialect", "alphafold3"}, {"version", 2}, {"name", name}, {"modelSeeds", {1}},
                                       {"sequences", nlohmann::json::array()}}
                            .dump();
    return RunInput{p.string(), name, "hash-" + name, padded, padded, "{}"};
  }
  static std::vector<Rung> rungs(std::initializer_list<int> samples) {
    std::vector<Rung> out;
    for (int s : samples) {
      Rung r;
      r.settings.num_diffusion_samples = {s, Origin::plan};
      r.expected_peak = Bytes::from_gb(10);
      out.push_back(r);
    }
    return out;
  }
  fs::path dir;
  RunnerSettings settings;
  FakeAf3 af3;
  MemoryJournal journal;
  Events events;
};

TEST_F(RunnerTest, FitsFirstTime) {
  Runner runner(settings, af3, journal, nullptr, events);
  FixedLadder ladder(rungs({5}));
  InputSummary s = runner.run_one(input("a", 256), ladder);
  EXPECT_EQ(s.status, "done");
  EXPECT_EQ(s.attempts, 1);
  ASSERT_EQ(journal.rows.size(), 1u);
  EXPECT_EQ(journal.rows[0].outcome, RunOutcome::succeeded);
  // Every state is written before the next step: planned, running, succeeded.
  EXPECT_EQ(journal.transitions, (std::vector<std::pair<std::int64_t, RunOutcome>>{
                                     {1, RunOutcome::planned}, {1, RunOutcome::running}, {1, RunOutcome::succeeded}}));
}

TEST_F(RunnerTest, OutOfMemoryThenNextRungReusingTheDataPipelineOutput) {
  af3.max_samples = 3;
  Runner runner(settings, af3, journal, nullptr, events);
  FixedLadder ladder(rungs({5, 3}));
  InputSummary s = runner.run_one(input("b", 512), ladder);
  EXPECT_EQ(s.status, "done");
  EXPECT_EQ(s.attempts, 2);
  EXPECT_EQ(s.reason, "fitted after 1 out-of-memory");
  ASSERT_EQ(journal.rows.size(), 2u);
  EXPECT_EQ(journal.rows[0].outcome, RunOutcome::oom);
  EXPECT_EQ(journal.rows[0].observed_peak, Bytes(2147483648LL + 10737418240LL));
  EXPECT_TRUE(journal.rows[0].observed_is_lower_bound);
  EXPECT_EQ(journal.rows[0].observed_source, "oom");
  EXPECT_EQ(journal.rows[1].outcome, RunOutcome::succeeded);
  // The retry reads the first attempt's data JSON, with the pipeline off, in the same folder.
  const auto& retry = af3.launched.at(1);
  EXPECT_NE(std::find(retry.begin(), retry.end(), "--json_path=" + (dir / "out" / "b" / "b_data.json").string()), retry.end());
  EXPECT_NE(std::find(retry.begin(), retry.end(), "--run_data_pipeline=false"), retry.end());
  EXPECT_NE(std::find(retry.begin(), retry.end(), "--force_output_dir=true"), retry.end());
}

TEST_F(RunnerTest, ExhaustedLadder) {
  af3.max_samples = 1;
  Runner runner(settings, af3, journal, nullptr, events);
  FixedLadder ladder(rungs({5, 4}));
  InputSummary s = runner.run_one(input("c", 512), ladder);
  EXPECT_EQ(s.status, "failed");
  EXPECT_EQ(s.attempts, 2);
  EXPECT_NE(s.reason.find("all 2 configurations of the ladder were tried"), std::string::npos);
  EXPECT_EQ(s.tried.size(), 2u);
}

TEST_F(RunnerTest, MaxRetriesBoundsTheLadder) {
  af3.max_samples = 1;
  settings.max_retries = 1;
  Runner runner(settings, af3, journal, nullptr, events);
  FixedLadder ladder(rungs({5, 4, 3, 2}));
  InputSummary s = runner.run_one(input("d", 512), ladder);
  EXPECT_EQ(s.attempts, 2);
  EXPECT_NE(s.reason.find("--max_retries=1 reached"), std::string::npos);
}

TEST_F(RunnerTest, OtherFailureIsNotRetried) {
  af3.fail_otherwise = true;
  Runner runner(settings, af3, journal, nullptr, events);
  FixedLadder ladder(rungs({5, 3}));
  InputSummary s = runner.run_one(input("e", 512), ladder);
  EXPECT_EQ(s.status, "failed");
  EXPECT_EQ(s.reason, "ValueError: Fold input has no chains.");
  EXPECT_EQ(af3.launched.size(), 1u);
}

TEST_F(RunnerTest, BatchInBucketOrderSkipsFinished) {
  Runner runner(settings, af3, journal, nullptr, events);
  std::vector<RunInput> inputs = {input("big", 1024), input("small", 256), input("mid", 512)};
  fs::create_directories(dir / "out" / "mid");
  std::ofstream(dir / "out" / "mid" / "mid_model.cif") << "x";
  std::ofstream(dir / "out" / "mid" / "mid_ranking_scores.csv") << "x";
  auto all = runner.run_all(inputs, [](const RunInput&) { return std::make_unique<FixedLadder>(rungs({5})); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].input.name, "small");
  EXPECT_EQ(all[1].input.name, "mid");
  EXPECT_EQ(all[1].status, "skipped");
  EXPECT_EQ(all[2].input.name, "big");
  EXPECT_EQ(events.seen, (std::vector<std::string>{"small rung 1", "skip mid", "big rung 1"}));
  std::string table = report::summary_table(all);
  EXPECT_NE(table.find("2 done (0 after a retry), 1 skipped, 0 failed or stopped"), std::string::npos);
}

TEST_F(RunnerTest, SampleSplitsRunOnceEachWithTheirOwnSeeds) {
  af3.max_samples = 3;
  Runner runner(settings, af3, journal, nullptr, events);
  std::vector<Rung> r = rungs({5});
  r[0].settings.sample_runs = {2, Origin::plan};
  FixedLadder ladder(r);
  InputSummary s = runner.run_one(input("f", 256), ladder);
  EXPECT_EQ(s.status, "done");
  ASSERT_EQ(af3.launched.size(), 2u);
  EXPECT_TRUE(fs::exists(dir / "out" / "f_split1of2" / "f_split1of2_ranking_scores.csv"));
  EXPECT_TRUE(fs::exists(dir / "out" / "f_split2of2" / "f_split2of2_ranking_scores.csv"));
  EXPECT_EQ(journal.rows.size(), 2u);
  EXPECT_EQ(journal.rows[1].part, 2);
}

}  // namespace
}  // namespace foldfit
