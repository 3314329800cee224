// settings.hpp - the one value type for every setting that changes how AlphaFold 3 runs:
// run_alphafold.py flags, model-config fields, foldfit's sample split and the JAX/XLA
// environment. Each setting carries its value and its origin (default, the user's flag,
// the user's environment, or foldfit's plan); the planner changes only defaults.
//
// One reader fills it (read_settings.hpp), the planner changes it (planner.hpp), one pure
// function turns it into AlphaFold 3's argv + environment + adapter fields (run/launch.hpp),
// and the history stores it as to_json() and reads it back with from_json().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "foldfit/device/environment.hpp"
#include "foldfit/model/config.hpp"
#include "foldfit/sizes/buckets.hpp"

namespace foldfit {

enum class Origin { default_value, flag, environment, plan };
std::string_view origin_name(Origin o);  // "default" | "flag" | "environment" | "plan"

template <typename T>
struct Setting {
  T value{};
  Origin origin = Origin::default_value;

  // Given by the user (flag or environment): the planner never changes it.
  bool user_set() const { return origin == Origin::flag || origin == Origin::environment; }
  // Anything but AlphaFold 3's / JAX's own default: it must reach AlphaFold 3.
  bool explicit_value() const { return origin != Origin::default_value; }
  bool operator==(const Setting&) const = default;
};

struct RunSettings {
  // run_alphafold.py flags
  Setting<Buckets> buckets;
  Setting<std::string> flash_attention{"triton"};
  Setting<int> num_diffusion_samples{5};
  Setting<int> num_recycles{10};
  Setting<int> num_seeds{0};  // 0: the input's modelSeeds
  Setting<bool> save_embeddings{false};
  Setting<bool> save_distogram{false};
  // Model-config fields without a flag, set through foldfit's adapter (python/foldfit_af3_adapter.py).
  Setting<SizeSpec> pair_transition_shard_spec{default_pair_transition_shard_spec()};
  Setting<SizeSpec> pair_attention_chunk_size{default_pair_attention_chunk_size()};
  Setting<std::string> bfloat16{"all"};  // global_config.bfloat16: all | none
  // Diffusion samples split into this many runs of fewer samples, each with its own
  // seed (1: no split). A foldfit lever; AlphaFold 3 sees --num_diffusion_samples per run.
  Setting<int> sample_runs{1};
  // JAX/XLA environment, as jaxlib and XLA read it (device/environment.hpp).
  Setting<bool> preallocate{true};                       // XLA_PYTHON_CLIENT_PREALLOCATE
  Setting<double> mem_fraction{kJaxDefaultFraction};     // default origin: no variable set
  std::string mem_fraction_variable = "XLA_CLIENT_MEM_FRACTION";  // the one the user set
  Setting<bool> unified_memory{false};                   // TF_FORCE_UNIFIED_MEMORY
  Setting<std::string> allocator{""};                    // XLA_PYTHON_CLIENT_ALLOCATOR ("": the BFC default)
  Setting<std::string> xla_flags{""};                    // XLA_FLAGS, passed through unchanged

  // Samples per AlphaFold 3 run: ceil(S / sample_runs).
  int samples_per_run() const;
  // The padded token count AlphaFold 3 uses for `tokens` with these buckets.
  std::int64_t padded_tokens(std::int64_t tokens) const { return buckets.value.pad(tokens); }
  ModelConfig model_config(std::int64_t padded_tokens) const;
  XlaEnvironment environment() const;

  // {"name": {"value": ..., "origin": "default"|"flag"|"environment"|"plan"}, ...}, names
  // as the user knows them (flag or variable).
  nlohmann::ordered_json to_json() const;
  // Reads to_json()'s form back; members missing keep their defaults. Throws InputError
  // naming `source` and the member on a bad document.
  static RunSettings from_json(const nlohmann::json& j, const std::string& source);
  // The same values, whatever their origins.
  bool same_values(const RunSettings& other) const;
  bool operator==(const RunSettings&) const = default;
};

// One setting whose value differs between two settings, named as the user knows it.
struct SettingDifference {
  std::string setting;
  std::string from;
  std::string to;
};
std::vector<SettingDifference> setting_differences(const RunSettings& from, const RunSettings& to);

// Marks with origin `plan` every setting of `planned` whose value differs from `given`.
void mark_planned(RunSettings& planned, const RunSettings& given);

}  // namespace foldfit
