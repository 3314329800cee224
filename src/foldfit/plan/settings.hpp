// settings.hpp - the AlphaFold 3 run settings the planner reasons about, each marked as
// set by the user or left at its default (the planner never changes a user's setting).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"
#include "foldfit/device/environment.hpp"
#include "foldfit/model/config.hpp"
#include "foldfit/sizes/buckets.hpp"

namespace foldfit {

template <typename T>
struct Setting {
  T value{};
  bool user_set = false;  // given explicitly on the command line or in the environment
};

struct RunSettings {
  // run_alphafold.py flags
  Setting<Buckets> buckets;
  Setting<std::string> flash_attention{"triton"};
  Setting<int> num_diffusion_samples{5};
  Setting<int> num_recycles{10};
  Setting<bool> save_embeddings{false};
  Setting<bool> save_distogram{false};
  // Model config fields, applied through foldfit's adapter (python/foldfit_af3_adapter.py).
  Setting<SizeSpec> pair_transition_shard_spec{default_pair_transition_shard_spec()};
  Setting<SizeSpec> pair_attention_chunk_size{default_pair_attention_chunk_size()};
  Setting<std::string> bfloat16{"all"};  // global_config.bfloat16: all | none
  // Diffusion samples split into this many runs of fewer samples, each with its own
  // seed (1: no split). A foldfit lever; AlphaFold 3 sees --num_diffusion_samples per run.
  Setting<int> sample_runs{1};
  // JAX/XLA environment
  Setting<bool> preallocate{true};
  Setting<double> mem_fraction{0.75};  // JAX's default when unset
  Setting<bool> unified_memory{false};
  std::string xla_flags;               // passed through unchanged

  // Samples per AlphaFold 3 run: ceil(S / sample_runs).
  int samples_per_run() const;
  ModelConfig model_config(std::int64_t padded_tokens) const;
  XlaEnvironment environment() const;
};

// Settings from the process environment (XLA_* variables count as user-set when present).
void apply_environment(RunSettings& settings, const XlaEnvironment& env);

}  // namespace foldfit
