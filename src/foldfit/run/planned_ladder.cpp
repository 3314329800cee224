#include "foldfit/run/planned_ladder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "foldfit/run/host_memory.hpp"

namespace foldfit {

namespace {

template <typename T>
Setting<T> marked(const T& value, const UserConfig& user, const char* name) {
  return Setting<T>{value, user.user_set.count(name) > 0};
}

}  // namespace

RunSettings settings_from_user(const UserConfig& user) {
  const LaunchConfig& c = user.config;
  RunSettings s;
  s.buckets = marked(c.buckets.empty() ? Buckets() : Buckets::parse(c.buckets), user, "buckets");
  s.flash_attention = marked(c.flash_attention, user, "flash_attention_implementation");
  s.num_diffusion_samples = marked(c.num_diffusion_samples, user, "num_diffusion_samples");
  s.num_recycles = marked(c.num_recycles, user, "num_recycles");
  s.save_embeddings = marked(c.save_embeddings, user, "save_embeddings");
  s.save_distogram = marked(c.save_distogram, user, "save_distogram");
  if (!c.pair_transition_shard_spec.empty())
    s.pair_transition_shard_spec = {SizeSpec::parse(c.pair_transition_shard_spec), true};
  if (!c.pair_attention_chunk_size.empty())
    s.pair_attention_chunk_size = {SizeSpec::parse(c.pair_attention_chunk_size), true};
  s.sample_runs = {c.sample_runs, false};
  s.preallocate = marked(c.preallocate, user, "XLA_PYTHON_CLIENT_PREALLOCATE");
  s.mem_fraction = marked(c.mem_fraction.value_or(0.75), user, "XLA_CLIENT_MEM_FRACTION");
  s.unified_memory = marked(c.unified_memory, user, "TF_FORCE_UNIFIED_MEMORY");
  s.xla_flags = c.xla_flags;
  return s;
}

LaunchConfig launch_config_from(const RunSettings& s) {
  LaunchConfig c;
  if (s.buckets.user_set || !s.buckets.value.is_default()) c.buckets = s.buckets.value.to_string();
  c.flash_attention = s.flash_attention.value;
  c.num_diffusion_samples = s.num_diffusion_samples.value;
  c.sample_runs = std::max(1, s.sample_runs.value);
  c.num_recycles = s.num_recycles.value;
  c.save_embeddings = s.save_embeddings.value;
  c.save_distogram = s.save_distogram.value;
  if (s.pair_transition_shard_spec.value != default_pair_transition_shard_spec())
    c.pair_transition_shard_spec = s.pair_transition_shard_spec.value.to_string();
  if (s.pair_attention_chunk_size.value != default_pair_attention_chunk_size())
    c.pair_attention_chunk_size = s.pair_attention_chunk_size.value.to_string();
  c.preallocate = s.preallocate.value;
  // An unset fraction stays unset unless the plan (or the user) chose one.
  if (s.mem_fraction.user_set || s.mem_fraction.value != 0.75) c.mem_fraction = s.mem_fraction.value;
  c.unified_memory = s.unified_memory.value;
  c.xla_flags = s.xla_flags;
  return c;
}

Rung rung_from_plan(const Plan& plan) {
  Rung r;
  r.config = launch_config_from(plan.settings);
  r.changes = plan.changes;
  r.verdict = std::string(verdict_name(plan.verdict));
  r.expected_peak = plan.after.total;
  r.budget = plan.budget.pool;
  r.runtime = plan.runtime;
  r.origin = fmt::format("planner, {} {}", plan.after.profile_id, plan.after.calibration_id);
  for (const EnvFinding& f : plan.findings)
    if (f.severity != EnvFinding::Severity::note) r.notes.push_back(f.message + (f.fix.empty() ? "" : " (" + f.fix + ")"));
  if (r.config.unified_memory && plan.budget.host_spill > Bytes(0)) {
    SpillCheck spill = check_spill(plan.budget.pool, plan.budget.device_total, read_host_memory());
    r.notes.push_back(spill.message);
    if (!spill.fits) r.verdict = "cannot_fit";
  }
  for (const std::string& b : plan.blocked_by) r.notes.push_back("blocked by your setting: " + b);
  return r;
}

std::unique_ptr<Ladder> make_planned_ladder(PlanInputs inputs) {
  Bytes step = std::max(Bytes::from_gb(1), inputs.device.total.scaled(0.05));
  auto plan = [inputs](Bytes extra) {
    PlanInputs in = inputs;
    in.margin += extra;
    return rung_from_plan(fit_settings(in));
  };
  return std::make_unique<MarginLadder>(plan, step);
}

}  // namespace foldfit
