#include "foldfit/run/launch.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <cctype>
#include <filesystem>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

std::string fraction_text(double f) { return fmt::format("{}", f); }

std::string bool_text(bool b) { return b ? "true" : "false"; }

// The file `name` resolves to on PATH, or empty.
std::string on_path(const std::string& name, const std::map<std::string, std::string>& env) {
  auto it = env.find("PATH");
  if (it == env.end()) return "";
  std::string_view path = it->second;
  while (!path.empty()) {
    auto colon = path.find(':');
    std::string dir(path.substr(0, colon));
    path = colon == std::string_view::npos ? "" : path.substr(colon + 1);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

}  // namespace

nlohmann::ordered_json adapter_fields(const RunSettings& s) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  if (s.pair_transition_shard_spec.value != default_pair_transition_shard_spec())
    fields["pair_transition_shard_spec"] = s.pair_transition_shard_spec.value.to_string();
  if (s.pair_attention_chunk_size.value != default_pair_attention_chunk_size())
    fields["pair_attention_chunk_size"] = s.pair_attention_chunk_size.value.to_string();
  if (s.bfloat16.value != RunSettings{}.bfloat16.value) fields["bfloat16"] = s.bfloat16.value;
  return fields;
}

LaunchCommand build_launch(const RunSettings& config, const LaunchRequest& request) {
  LaunchCommand out;
  if (request.af3_command.empty()) throw UsageError("the AlphaFold 3 command is empty");
  const nlohmann::ordered_json fields = adapter_fields(config);
  const bool adapter = !fields.empty();
  if (adapter) {
    // The adapter imports run_alphafold.py from its path, so the command must name it:
    // "python3 /app/alphafold/run_alphafold.py" -> "python3 ADAPTER /app/alphafold/run_alphafold.py".
    const auto& cmd = request.af3_command;
    std::size_t script = cmd.size();
    for (std::size_t i = cmd.size(); i-- > 0;)
      if (cmd[i].size() > 3 && cmd[i].ends_with(".py")) {
        script = i;
        break;
      }
    if (script == cmd.size())
      throw UsageError(fmt::format(
          "the model-config fields pair_transition_shard_spec / pair_attention_chunk_size / bfloat16 are set through foldfit's "
          "Python adapter, which needs the path of run_alphafold.py; the AlphaFold 3 command '{}' names no .py "
          "script (give --af3_command='python3 /path/to/run_alphafold.py')",
          fmt::join(cmd, " ")));
    std::string script_path = cmd[script];
    if (script_path.find('/') == std::string::npos) {
      std::string found = on_path(script_path, request.environment);
      if (!found.empty()) script_path = found;
    }
    if (script == 0) out.argv.push_back("python3");  // an executable script started directly
    out.argv.insert(out.argv.end(), cmd.begin(), cmd.begin() + static_cast<std::ptrdiff_t>(script));
    out.argv.push_back(request.adapter_path);
    out.argv.push_back(script_path);
    out.argv.insert(out.argv.end(), cmd.begin() + static_cast<std::ptrdiff_t>(script) + 1, cmd.end());
  } else {
    out.argv = request.af3_command;
  }
  out.argv.insert(out.argv.end(), request.passthrough.begin(), request.passthrough.end());
  out.argv.push_back("--json_path=" + request.json_path);
  out.argv.push_back("--output_dir=" + request.output_dir);
  // The buckets are always given, so AlphaFold 3 pads to the plan's N whatever its own
  // default list.
  out.argv.push_back("--buckets=" + config.buckets.value.to_string());
  out.argv.push_back("--flash_attention_implementation=" + config.flash_attention.value);
  out.argv.push_back(fmt::format("--num_diffusion_samples={}", config.samples_per_run()));
  out.argv.push_back(fmt::format("--num_recycles={}", config.num_recycles.value));
  if (config.num_seeds.explicit_value()) out.argv.push_back(fmt::format("--num_seeds={}", config.num_seeds.value));
  out.argv.push_back("--save_embeddings=" + bool_text(config.save_embeddings.value));
  out.argv.push_back("--save_distogram=" + bool_text(config.save_distogram.value));
  if (!request.compilation_cache_dir.empty()) out.argv.push_back("--jax_compilation_cache_dir=" + request.compilation_cache_dir);
  if (request.force_output_dir) out.argv.push_back("--force_output_dir=true");

  out.environment = request.environment;
  auto set = [&](const std::string& name, const std::optional<std::string>& value) {
    auto it = request.environment.find(name);
    std::optional<std::string> before = it == request.environment.end() ? std::nullopt : std::optional(it->second);
    if (value) out.environment[name] = *value;
    else out.environment.erase(name);
    if (before != value) out.set_by_foldfit[name] = value.value_or("(unset)");
  };
  // Only the plan's changes: what the user set, and JAX's defaults, stay as they are.
  if (config.preallocate.origin == Origin::plan) set("XLA_PYTHON_CLIENT_PREALLOCATE", bool_text(config.preallocate.value));
  if (config.mem_fraction.origin == Origin::plan) {
    // jaxlib refuses XLA_CLIENT_MEM_FRACTION beside the deprecated XLA_PYTHON_CLIENT_MEM_FRACTION.
    set("XLA_CLIENT_MEM_FRACTION", fraction_text(config.mem_fraction.value));
    set("XLA_PYTHON_CLIENT_MEM_FRACTION", std::nullopt);
  }
  if (config.unified_memory.origin == Origin::plan) set("TF_FORCE_UNIFIED_MEMORY", bool_text(config.unified_memory.value));
  if (config.xla_flags.origin == Origin::plan) set("XLA_FLAGS", config.xla_flags.value);
  set("FOLDFIT_AF3_CONFIG", adapter ? std::optional(fields.dump()) : std::nullopt);
  return out;
}

std::optional<std::string> af3_script_of(const std::string& command, const std::map<std::string, std::string>& env) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < command.size()) {
    while (i < command.size() && std::isspace(static_cast<unsigned char>(command[i]))) ++i;
    std::size_t start = i;
    while (i < command.size() && !std::isspace(static_cast<unsigned char>(command[i]))) ++i;
    if (i > start) words.push_back(command.substr(start, i - start));
  }
  std::optional<std::string> script;
  for (const std::string& w : words)
    if (w.size() > 3 && w.ends_with(".py")) script = w;
  if (!script && words.size() == 1) script = words.front();
  if (!script) return std::nullopt;
  if (script->find('/') == std::string::npos) {
    std::string found = on_path(*script, env);
    if (!found.empty()) return found;
  }
  return script;
}

std::optional<std::string> find_af3_command(const std::map<std::string, std::string>& env, std::vector<std::string>* tried) {
  auto note = [&](std::string s) {
    if (tried) tried->push_back(std::move(s));
  };
  if (auto it = env.find("FOLDFIT_AF3_COMMAND"); it != env.end() && !it->second.empty()) return it->second;
  note("$FOLDFIT_AF3_COMMAND (unset)");
  const char* docker = "/app/alphafold/run_alphafold.py";
  if (std::filesystem::exists(docker)) return fmt::format("python3 {}", docker);
  note(fmt::format("{} (AlphaFold 3's Docker image; not found)", docker));
  std::string found = on_path("run_alphafold.py", env);
  if (!found.empty()) return found;
  note("run_alphafold.py on PATH (not found)");
  return std::nullopt;
}

}  // namespace foldfit
