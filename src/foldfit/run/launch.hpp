// launch.hpp - one AlphaFold 3 process: its configuration and the argv + environment that apply it.
//
// A configuration reaches AlphaFold 3 three ways: run_alphafold.py flags (buckets,
// flash attention, samples, recycles, optional outputs), JAX/XLA environment variables
// (preallocation, pool fraction, unified memory, XLA_FLAGS), and model-config fields that
// have no flag (pair_transition_shard_spec, pair_attention_chunk_size), which foldfit's
// Python adapter (python/foldfit_af3_adapter.py) sets before calling run_alphafold.main.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/run/af3_args.hpp"

namespace foldfit {

struct LaunchConfig {
  std::string buckets;                     // --buckets; empty: AlphaFold 3's default list
  std::string flash_attention = "triton";  // --flash_attention_implementation
  int num_diffusion_samples = 5;           // total samples per seed, over all sample runs
  int sample_runs = 1;                     // samples split into this many processes (distinct seeds)
  int num_recycles = 10;
  bool save_embeddings = false;
  bool save_distogram = false;
  // Python tuple syntax, e.g. "((2048, None), (None, 1024))"; empty: AlphaFold 3's default.
  std::string pair_transition_shard_spec;
  std::string pair_attention_chunk_size;
  bool preallocate = true;                 // XLA_PYTHON_CLIENT_PREALLOCATE
  std::optional<double> mem_fraction;      // XLA_CLIENT_MEM_FRACTION; nullopt: unset (JAX: 0.75)
  bool unified_memory = false;             // TF_FORCE_UNIFIED_MEMORY
  std::string xla_flags;                   // XLA_FLAGS

  int samples_per_run() const { return (num_diffusion_samples + sample_runs - 1) / sample_runs; }
  bool needs_adapter() const { return !pair_transition_shard_spec.empty() || !pair_attention_chunk_size.empty(); }

  nlohmann::ordered_json to_json() const;
  // Members missing from `j` keep their value in `base`. Throws InputError naming
  // `source` and the member on a bad document.
  static LaunchConfig from_json(const nlohmann::json& j, const std::string& source, const LaunchConfig& base);
  static LaunchConfig from_json(const nlohmann::json& j, const std::string& source) { return from_json(j, source, LaunchConfig()); }
  bool operator==(const LaunchConfig&) const = default;
};

// One setting that differs between two configurations, named as the user knows it
// (the flag or environment variable).
struct ConfigDifference {
  std::string setting;
  std::string from;
  std::string to;
};
std::vector<ConfigDifference> config_differences(const LaunchConfig& from, const LaunchConfig& to);

// The configuration as the user gave it (run_alphafold.py flags and the JAX/XLA
// environment) and which settings they gave explicitly.
struct UserConfig {
  LaunchConfig config;
  std::set<std::string> user_set;  // flag / variable names
};
UserConfig user_config(const Af3Args& args, const std::map<std::string, std::string>& env);

// What one process needs besides the configuration.
struct LaunchRequest {
  std::vector<std::string> af3_command;  // argv that starts run_alphafold.py
  std::string adapter_path;              // foldfit_af3_adapter.py on disk (when needed)
  std::string json_path;
  std::string output_dir;
  std::vector<std::string> passthrough;  // the user's other run_alphafold.py flags, "--name=value"
  std::string compilation_cache_dir;     // empty: not set
  bool force_output_dir = false;
  std::map<std::string, std::string> environment;  // the environment to start from
};

struct LaunchCommand {
  std::vector<std::string> argv;
  std::map<std::string, std::string> environment;  // the child's full environment
  std::map<std::string, std::string> set_by_foldfit;  // the variables foldfit set or changed
};

// Throws UsageError when the configuration needs the adapter but the AlphaFold 3
// command names no run_alphafold.py script to hand to it.
LaunchCommand build_launch(const LaunchConfig& config, const LaunchRequest& request);

// The AlphaFold 3 command when --af3_command is not given: $FOLDFIT_AF3_COMMAND, else
// "python3 /app/alphafold/run_alphafold.py" when that file exists (AlphaFold 3's Docker
// image), else run_alphafold.py found on PATH. nullopt when none is found; `tried` lists
// what was looked at.
std::optional<std::string> find_af3_command(const std::map<std::string, std::string>& env,
                                            std::vector<std::string>* tried = nullptr);

// The process environment as a map.
std::map<std::string, std::string> process_environment();

}  // namespace foldfit
