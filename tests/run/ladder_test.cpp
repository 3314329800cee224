#include "foldfit/run/ladder.hpp"

#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"

namespace foldfit {
namespace {

// A planner stand-in: fewer samples the more margin it must keep, 1 GB per sample.
Rung fake_plan(Bytes extra) {
  Rung r;
  int samples = 5 - static_cast<int>(extra.count() / 1'000'000'000);
  r.verdict = samples >= 1 ? (samples == 5 ? "fits" : "fits_with_plan") : "cannot_fit";
  r.config.num_diffusion_samples = std::max(samples, 1);
  r.expected_peak = Bytes::from_gb(10 + samples);
  return r;
}

TEST(MarginLadder, GrowsByTheObservedShortfall) {
  MarginLadder ladder(fake_plan, Bytes::from_gb(0.5));
  Rung first = ladder.first();
  EXPECT_EQ(first.config.num_diffusion_samples, 5);
  std::string why;
  // Needed 2.2 GB more than expected: the next plan keeps 2.2 GB extra -> 3 samples.
  auto next = ladder.after_oom({first.config, first.expected_peak, Bytes::from_gb(17.2), "oom"}, why);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->extra_margin, Bytes::from_gb(2.2));
  EXPECT_EQ(next->config.num_diffusion_samples, 3);
}

TEST(MarginLadder, StepsWhenTheShortfallIsUnknownAndSkipsRepeats) {
  MarginLadder ladder(fake_plan, Bytes::from_gb(0.5));
  Rung first = ladder.first();
  std::string why;
  // +0.5 GB gives the same 5 samples (already tried), so it widens to +1 GB -> 4 samples.
  auto next = ladder.after_oom({first.config, first.expected_peak, std::nullopt, "oom"}, why);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->config.num_diffusion_samples, 4);
  EXPECT_EQ(next->extra_margin, Bytes::from_gb(1.0));
}

TEST(MarginLadder, EndsWhenNothingFits) {
  MarginLadder ladder(fake_plan, Bytes::from_gb(0.5));
  Rung first = ladder.first();
  std::string why;
  auto next = ladder.after_oom({first.config, first.expected_peak, Bytes::from_gb(30), "oom"}, why);
  EXPECT_FALSE(next);
  EXPECT_EQ(why, "no configuration fits with 15.00 GB kept free beyond the margin (learnt from out-of-memory)");
}

TEST(ScriptedLadder, RungsFromJsonOnTopOfTheUserConfig) {
  LaunchConfig base;
  base.num_recycles = 3;
  auto rungs = ScriptedLadder::parse(R"({"rungs": [
      {"expected_peak": 1000},
      {"config": {"num_diffusion_samples": 2}, "changes": [{"setting": "num_diffusion_samples", "from": "5", "to": "2",
                                                           "reason": "fits"}]},
      {"config": {"XLA_CLIENT_MEM_FRACTION": 0.95}}]})",
                                     "ladder.json", base);
  ASSERT_EQ(rungs.size(), 3u);
  EXPECT_EQ(rungs[0].verdict, "fits");
  EXPECT_EQ(rungs[0].expected_peak, Bytes(1000));
  EXPECT_EQ(rungs[1].config.num_recycles, 3);
  EXPECT_EQ(rungs[1].changes.at(0).reason, "fits");
  EXPECT_EQ(rungs[2].changes.at(0).setting, "XLA_CLIENT_MEM_FRACTION");
  EXPECT_EQ(rungs[2].changes.at(0).reason, "listed in ladder.json");
  ScriptedLadder ladder(rungs);
  ladder.first();
  std::string why;
  EXPECT_TRUE(ladder.after_oom({}, why));
  EXPECT_TRUE(ladder.after_oom({}, why));
  EXPECT_FALSE(ladder.after_oom({}, why));
  EXPECT_EQ(why, "all 3 configurations of the ladder were tried");
  EXPECT_THROW(ScriptedLadder::parse(R"({"rungs": []})", "x.json", base), InputError);
}

}  // namespace
}  // namespace foldfit
