#include "foldfit/plan/settings.hpp"

namespace foldfit {

int RunSettings::samples_per_run() const {
  int runs = std::max(1, sample_runs.value);
  return (num_diffusion_samples.value + runs - 1) / runs;
}

ModelConfig RunSettings::model_config(std::int64_t padded_tokens) const {
  ModelConfig c;
  c.padded_tokens = padded_tokens;
  c.num_diffusion_samples = samples_per_run();
  c.flash_attention = flash_attention.value;
  c.pair_transition_shard_spec = pair_transition_shard_spec.value;
  c.pair_attention_chunk_size = pair_attention_chunk_size.value;
  c.save_embeddings = save_embeddings.value;
  c.save_distogram = save_distogram.value;
  c.bfloat16 = bfloat16.value;
  return c;
}

XlaEnvironment RunSettings::environment() const {
  XlaEnvironment env;
  env.preallocate = preallocate.value;
  // JAX's own default stays implicit, so reports say where the fraction came from.
  if (mem_fraction.user_set || mem_fraction.value != XlaEnvironment{}.effective_fraction()) {
    env.mem_fraction = mem_fraction.value;
    env.mem_fraction_variable = "XLA_CLIENT_MEM_FRACTION";
  }
  env.unified_memory = unified_memory.value;
  env.xla_flags = xla_flags;
  return env;
}

void apply_environment(RunSettings& s, const XlaEnvironment& env) {
  auto set = [&](const char* var) { return env.raw.count(var) > 0; };
  s.preallocate = {env.preallocate, set("XLA_PYTHON_CLIENT_PREALLOCATE")};
  s.mem_fraction = {env.effective_fraction(), env.mem_fraction.has_value()};
  s.unified_memory = {env.unified_memory, set("TF_FORCE_UNIFIED_MEMORY")};
  s.xla_flags = env.xla_flags;
}

}  // namespace foldfit
