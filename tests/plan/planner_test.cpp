// The planner: documented AlphaFold 3 limits reproduced, three distinct outcomes, user
// settings never overridden, and no change that the fit does not need.
#include <gtest/gtest.h>

#include <sstream>

#include "foldfit/common/embedded.hpp"
#include "foldfit/plan/planner.hpp"

namespace foldfit {
namespace {

Sizes sizes_of(std::int64_t tokens) {
  Sizes s;
  s.name = "t";
  s.tokens = tokens;
  s.padded_tokens = Buckets().pad(tokens);
  s.chains = 1;
  s.seeds = 1;
  return s;
}

PlanInputs inputs(std::int64_t tokens, const std::string& gpu) {
  PlanInputs in;
  in.sizes = sizes_of(tokens);
  const GpuSpec* g = find_gpu(gpu);
  EXPECT_NE(g, nullptr) << gpu;
  in.device.spec = *g;
  in.device.total = g->memory;
  in.margin = Bytes::from_gb(1.0);
  in.model = &MemoryModel::builtin();
  return in;
}

// AlphaFold 3's Docker environment: preallocate 95% (set by the user's environment).
void docker_env(RunSettings& s) {
  s.preallocate = {true, Origin::environment};
  s.mem_fraction = {0.95, Origin::environment};
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else cur.push_back(c);
  }
  out.push_back(cur);
  return out;
}

// Every row of data/af3_documented_limits.csv: the documented configuration fits as given.
TEST(Planner, ReproducesEveryDocumentedLimit) {
  std::istringstream csv{std::string(embedded::documented_limits_csv())};
  std::string line;
  std::getline(csv, line);  // header
  int rows = 0;
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f = split(line);
    ASSERT_GE(f.size(), 8u) << line;
    std::string gpu = f[1];
    if (gpu == "L40S 48GB") gpu = "L40S";
    PlanInputs in = inputs(std::stoll(f[3]), gpu);
    RunSettings& s = in.settings;
    s.flash_attention = {f[4], Origin::flag};
    docker_env(s);
    const std::string& env = f[5];
    if (env.find("PREALLOCATE=false") != std::string::npos) s.preallocate = {false, Origin::environment};
    if (env.find("TF_FORCE_UNIFIED_MEMORY=true") != std::string::npos) s.unified_memory = {true, Origin::environment};
    if (auto at = env.find("FRACTION="); at != std::string::npos)
      s.mem_fraction = {std::stod(env.substr(at + 9)), Origin::environment};
    if (auto at = env.find("XLA_FLAGS="); at != std::string::npos) s.xla_flags = {env.substr(at + 10), Origin::environment};
    if (auto at = f[6].find("pair_transition_shard_spec="); at != std::string::npos)
      s.pair_transition_shard_spec = {SizeSpec::parse(f[6].substr(at + 27)), Origin::flag};
    Plan p = fit_settings(in);
    EXPECT_EQ(p.verdict, Verdict::fits) << line << "\n  model total " << p.after.total.gb() << " GB, pool "
                                        << p.after.pool.gb() << " GB, budget " << p.budget.pool.gb() << " GB";
    ++rows;
  }
  EXPECT_EQ(rows, 14);
}

TEST(Planner, FitsAsGivenChangesNothing) {
  PlanInputs in = inputs(596, "H100-80GB");
  Plan p = fit_settings(in);
  EXPECT_EQ(p.verdict, Verdict::fits);
  EXPECT_TRUE(p.changes.empty());
  EXPECT_EQ(p.after.total, p.before.total);
}

TEST(Planner, TakesOnlyTheLeverItNeeds) {
  // 3584 tokens need about 36 GB in the pool: JAX's default 0.75 of an A100 40GB is too
  // little, AlphaFold 3's 0.95 is enough; nothing else is changed.
  PlanInputs in = inputs(3584, "A100-40GB");
  Plan p = fit_settings(in);
  ASSERT_EQ(p.verdict, Verdict::fits_with_plan);
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].setting, "XLA_CLIENT_MEM_FRACTION");
  EXPECT_EQ(p.changes[0].to, "0.95");
  EXPECT_TRUE(fits(p.after, p.settings, in.device, in.margin));
  EXPECT_FALSE(fits(p.before, in.settings, in.device, in.margin));
}

TEST(Planner, UserSettingBlocksAndIsNamed) {
  PlanInputs in = inputs(3584, "A100-40GB");
  in.settings.mem_fraction = {0.75, Origin::environment};
  in.settings.preallocate = {true, Origin::environment};
  Plan p = fit_settings(in);
  EXPECT_EQ(p.verdict, Verdict::cannot_fit);
  ASSERT_FALSE(p.blocked_by.empty());
  EXPECT_NE(p.blocked_by[0].find("memory fraction 0.75 (set in the environment)"), std::string::npos) << p.blocked_by[0];
  EXPECT_FALSE(p.smallest_fitting_gpu.empty());
  EXPECT_NE(p.split_advice.find("split the complex into parts of at most"), std::string::npos);
  // The card could hold it: only the fraction the user set stops it, so spilling to host
  // RAM is not offered.
  EXPECT_EQ(p.unified_memory_option, "");
}

TEST(Planner, UnifiedMemoryNeedsHostRam) {
  PlanInputs in = inputs(5120, "A100-40GB");
  docker_env(in.settings);
  in.settings.mem_fraction.origin = Origin::default_value;
  in.settings.preallocate.origin = Origin::default_value;
  in.device.host_ram = Bytes::from_gb(512);
  // Without --max_gpu_memory_gb above the card, unified memory is never planned.
  EXPECT_EQ(fit_settings(in).verdict, Verdict::cannot_fit);
  in.device.spill_permitted = in.device.total.scaled(2.2);
  Plan p = fit_settings(in);
  ASSERT_EQ(p.verdict, Verdict::fits_with_plan);
  EXPECT_TRUE(p.settings.unified_memory.value);
  EXPECT_FALSE(p.settings.preallocate.value);
  EXPECT_DOUBLE_EQ(p.settings.mem_fraction.value, 3.2);  // the fraction --max_gpu_memory_gb permits
  EXPECT_EQ(p.settings.unified_memory.origin, Origin::plan);
  EXPECT_GT(p.host_ram_needed, Bytes(0));
  EXPECT_GT(p.runtime.seconds, 0);
  // Too little host RAM for the overflow: unified memory is not an option, and the
  // lossy lever cannot save enough at this size either.
  in.device.host_ram = Bytes::from_gb(4);
  EXPECT_EQ(fit_settings(in).verdict, Verdict::cannot_fit);
}

TEST(Planner, NeverChangesAUserSetting) {
  // Every combination of user-set levers on a GPU too small for the input.
  for (int mask = 0; mask < 64; ++mask) {
    PlanInputs in = inputs(2600, "A10");
    RunSettings& s = in.settings;
    if (mask & 1) s.num_diffusion_samples = {5, Origin::flag};
    if (mask & 2) s.buckets = {Buckets(), Origin::flag};
    if (mask & 4) s.mem_fraction = {0.75, Origin::environment};
    if (mask & 8) s.pair_transition_shard_spec = {default_pair_transition_shard_spec(), Origin::flag};
    if (mask & 16) s.unified_memory = {false, Origin::environment};
    if (mask & 32) s.sample_runs = {1, Origin::flag};
    Plan p = fit_settings(in);
    for (const Change& c : p.changes) {
      if (mask & 1) {
        EXPECT_NE(c.setting, "num_diffusion_samples");
      }
      if (mask & 2) {
        EXPECT_NE(c.setting, "buckets");
      }
      if (mask & 4) {
        EXPECT_NE(c.setting, "XLA_CLIENT_MEM_FRACTION");
      }
      if (mask & 4) {
        EXPECT_NE(c.setting, "unified memory");
      }
      if (mask & 8) {
        EXPECT_NE(c.setting, "pair_transition_shard_spec");
      }
      if (mask & 16) {
        EXPECT_NE(c.setting, "unified memory");
      }
      if (mask & 32) {
        EXPECT_NE(c.setting, "sample_runs");
      }
    }
    EXPECT_EQ(p.settings.num_diffusion_samples.value == 5 || !(mask & 1), true);
    if (mask & 2) {
      EXPECT_EQ(p.settings.buckets.value.sizes(), Buckets::defaults());
    }
  }
}

TEST(Planner, LossyLeverComesLast) {
  // A 16 GB card with no unified memory allowed: fewer samples only if nothing lossless fits.
  PlanInputs in = inputs(1500, "T4");
  in.settings.unified_memory = {false, Origin::environment};
  Plan p = fit_settings(in);
  for (std::size_t i = 0; i + 1 < p.changes.size(); ++i) EXPECT_NE(p.changes[i].setting, "num_diffusion_samples");
}

TEST(Planner, ComputeCapability7NeedsXla) {
  PlanInputs in = inputs(500, "V100-16GB");
  Plan p = fit_settings(in);
  ASSERT_FALSE(p.changes.empty());
  EXPECT_EQ(p.changes[0].setting, "flash_attention_implementation");
  EXPECT_EQ(p.settings.flash_attention.value, "xla");
}

// The planner assumes the GLU the GPU and the AlphaFold 3 build run (model/glu.hpp), and
// the estimate says which and why; the XLA GLU's pre-activation is in the peak.
TEST(Planner, GluFollowsComputeCapabilityAndRelease) {
  PlanInputs v100 = inputs(500, "V100-16GB");
  Plan p = fit_settings(v100);
  EXPECT_EQ(p.after.glu_implementation, "xla");
  EXPECT_NE(p.after.glu_origin.find("compute capability 7.0"), std::string::npos) << p.after.glu_origin;

  PlanInputs h100 = inputs(4000, "H100-80GB");
  docker_env(h100.settings);
  Plan fused = fit_settings(h100);
  EXPECT_EQ(fused.before.glu_implementation, "fused");
  EXPECT_NE(fused.before.glu_origin.find("AlphaFold 3 v3.0.4"), std::string::npos) << fused.before.glu_origin;
  h100.af3_release = "main@2025-11-10";
  Plan xla = fit_settings(h100);
  EXPECT_EQ(xla.before.glu_implementation, "xla");
  EXPECT_NE(xla.before.glu_origin.find("cf40461"), std::string::npos) << xla.before.glu_origin;
  EXPECT_GT(xla.before.pool, fused.before.pool);
  h100.af3_release = "main";
  EXPECT_EQ(fit_settings(h100).before.glu_implementation, "fused");
}

TEST(Planner, TradeOffsComeFromTheModel) {
  PlanInputs in = inputs(3000, "A100-80GB");
  std::vector<TradeOff> t = trade_offs(in);
  ASSERT_FALSE(t.empty());
  bool recycles = false, samples = false;
  for (const TradeOff& x : t) {
    if (x.change.rfind("num_recycles", 0) == 0) {
      recycles = true;
      EXPECT_EQ(x.saves, Bytes(0));  // recycles cost time, not memory
    }
    if (x.change == "num_diffusion_samples: 5 -> 1") {
      samples = true;
      EXPECT_GE(x.saves, Bytes(0));
    }
  }
  EXPECT_TRUE(recycles);
  EXPECT_TRUE(samples);
}

TEST(Planner, MinimumAndRecommendedGpu) {
  PlanInputs in = inputs(5120, "T4");
  std::string min = minimum_gpu(in), rec = recommended_gpu(in);
  ASSERT_FALSE(min.empty());
  EXPECT_GE(find_gpu(min)->memory, Bytes::from_gb(70));
  if (!rec.empty()) {
    EXPECT_GE(find_gpu(rec)->memory, find_gpu(min)->memory);
  }
}

}  // namespace
}  // namespace foldfit
