// launch.hpp - one AlphaFold 3 process: the argv + environment that apply a RunSettings.
//
// Settings reach AlphaFold 3 three ways: run_alphafold.py flags (buckets, flash
// attention, samples, recycles, seeds, optional outputs), JAX/XLA environment variables
// (preallocation, pool fraction, unified memory, XLA_FLAGS), and model-config fields that
// have no flag (pair_transition_shard_spec, pair_attention_chunk_size, bfloat16), which
// foldfit's Python adapter (python/foldfit_af3_adapter.py) sets before calling
// run_alphafold.main. Environment variables the user set are never changed; only the
// plan's changes are exported.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/plan/settings.hpp"
#include "foldfit/run/af3_args.hpp"

namespace foldfit {

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

// The model-config fields the adapter must set (those that differ from AlphaFold 3's
// defaults), as {field: value}; empty when the adapter is not needed.
nlohmann::ordered_json adapter_fields(const RunSettings& settings);

// A pure function of its arguments. Throws UsageError when the settings need the adapter
// but the AlphaFold 3 command names no run_alphafold.py script to hand to it.
LaunchCommand build_launch(const RunSettings& settings, const LaunchRequest& request);

// The run_alphafold.py script an AlphaFold 3 command names (its last word ending in .py,
// looked up on PATH when it has no '/'), or the command itself when it is one word naming
// a file; nullopt when it names none.
std::optional<std::string> af3_script_of(const std::string& command, const std::map<std::string, std::string>& env);

// The AlphaFold 3 command when --af3_command is not given: $FOLDFIT_AF3_COMMAND, else
// "python3 /app/alphafold/run_alphafold.py" when that file exists (AlphaFold 3's Docker
// image), else run_alphafold.py found on PATH. nullopt when none is found; `tried` lists
// what was looked at.
std::optional<std::string> find_af3_command(const std::map<std::string, std::string>& env,
                                            std::vector<std::string>* tried = nullptr);

}  // namespace foldfit
