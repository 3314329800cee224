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
  r.settings.num_diffusion_samples = {std::max(samples, 1), Origin::plan};
  r.expected_peak = Bytes::from_gb(10 + samples);
  return r;
}

TEST(MarginLadder, GrowsByTheObservedShortfall) {
  MarginLadder ladder(fake_plan, Bytes::from_gb(0.5));
  Rung first = ladder.first();
  EXPECT_EQ(first.settings.num_diffusion_samples.value, 5);
  std::string why;
  // Needed 2.2 GB more than expected: the next plan keeps 2.2 GB extra -> 3 samples.
  auto next = ladder.after_oom({first.settings, first.expected_peak, Bytes::from_gb(17.2), "oom"}, why);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->extra_margin, Bytes::from_gb(2.2));
  EXPECT_EQ(next->settings.num_diffusion_samples.value, 3);
}

TEST(MarginLadder, StepsWhenTheShortfallIsUnknownAndSkipsRepeats) {
  MarginLadder ladder(fake_plan, Bytes::from_gb(0.5));
  Rung first = ladder.first();
  std::string why;
  // +0.5 GB gives the same 5 samples (already tried), so it widens to +1 GB -> 4 samples.
  auto next = ladder.after_oom({first.settings, first.expected_peak, std::nullopt, "oom"}, why);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->settings.num_diffusion_samples.value, 4);
  EXPECT_EQ(next->extra_margin, Bytes::from_gb(1.0));
}

TEST(MarginLadder, EndsWhenNothingFits) {
  MarginLadder ladder(fake_plan, Bytes::from_gb(0.5));
  Rung first = ladder.first();
  std::string why;
  auto next = ladder.after_oom({first.settings, first.expected_peak, Bytes::from_gb(30), "oom"}, why);
  EXPECT_FALSE(next);
  EXPECT_EQ(why, "no configuration fits with 15.00 GB kept free beyond the margin (learnt from out-of-memory)");
}

}  // namespace
}  // namespace foldfit
