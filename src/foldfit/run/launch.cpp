#include "foldfit/run/launch.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "foldfit/common/error.hpp"

extern char** environ;

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

nlohmann::ordered_json LaunchConfig::to_json() const {
  nlohmann::ordered_json j;
  j["buckets"] = buckets;
  j["flash_attention_implementation"] = flash_attention;
  j["num_diffusion_samples"] = num_diffusion_samples;
  j["sample_runs"] = sample_runs;
  j["num_recycles"] = num_recycles;
  j["save_embeddings"] = save_embeddings;
  j["save_distogram"] = save_distogram;
  j["pair_transition_shard_spec"] = pair_transition_shard_spec;
  j["pair_attention_chunk_size"] = pair_attention_chunk_size;
  j["XLA_PYTHON_CLIENT_PREALLOCATE"] = preallocate;
  j["XLA_CLIENT_MEM_FRACTION"] = mem_fraction ? nlohmann::ordered_json(*mem_fraction) : nlohmann::ordered_json();
  j["TF_FORCE_UNIFIED_MEMORY"] = unified_memory;
  j["XLA_FLAGS"] = xla_flags;
  return j;
}

LaunchConfig LaunchConfig::from_json(const nlohmann::json& j, const std::string& source, const LaunchConfig& base) {
  LaunchConfig c = base;
  if (!j.is_object()) throw InputError(SourceLocation{source, 0, 0, ""}, "expected a JSON object (a launch configuration)");
  auto get = [&](const char* key, auto& field) {
    if (!j.contains(key) || j[key].is_null()) return;
    try {
      j[key].get_to(field);
    } catch (const nlohmann::json::exception&) {
      throw InputError(SourceLocation{source, 0, 0, key}, fmt::format("unexpected value {}", j[key].dump()));
    }
  };
  get("buckets", c.buckets);
  get("flash_attention_implementation", c.flash_attention);
  get("num_diffusion_samples", c.num_diffusion_samples);
  get("sample_runs", c.sample_runs);
  get("num_recycles", c.num_recycles);
  get("save_embeddings", c.save_embeddings);
  get("save_distogram", c.save_distogram);
  get("pair_transition_shard_spec", c.pair_transition_shard_spec);
  get("pair_attention_chunk_size", c.pair_attention_chunk_size);
  get("XLA_PYTHON_CLIENT_PREALLOCATE", c.preallocate);
  if (j.contains("XLA_CLIENT_MEM_FRACTION") && !j["XLA_CLIENT_MEM_FRACTION"].is_null()) {
    double f = 0;
    get("XLA_CLIENT_MEM_FRACTION", f);
    c.mem_fraction = f;
  }
  get("TF_FORCE_UNIFIED_MEMORY", c.unified_memory);
  get("XLA_FLAGS", c.xla_flags);
  if (c.num_diffusion_samples < 1 || c.sample_runs < 1 || c.sample_runs > c.num_diffusion_samples)
    throw InputError(SourceLocation{source, 0, 0, "sample_runs"},
                     fmt::format("{} sample runs for {} samples", c.sample_runs, c.num_diffusion_samples));
  return c;
}

UserConfig user_config(const Af3Args& args, const std::map<std::string, std::string>& env) {
  UserConfig u;
  LaunchConfig& c = u.config;
  auto mark = [&](const char* name) { u.user_set.insert(name); };
  if (auto v = args.value("buckets")) c.buckets = *v, mark("buckets");
  if (auto v = args.value("flash_attention_implementation")) {
    if (*v != "triton" && *v != "cudnn" && *v != "xla")
      throw UsageError(fmt::format("--flash_attention_implementation: '{}' is not one of triton, cudnn, xla", *v));
    c.flash_attention = *v, mark("flash_attention_implementation");
  }
  if (auto v = args.integer("num_diffusion_samples", 1, 1000)) c.num_diffusion_samples = static_cast<int>(*v), mark("num_diffusion_samples");
  if (auto v = args.integer("num_recycles", 1, 1000)) c.num_recycles = static_cast<int>(*v), mark("num_recycles");
  if (args.given("save_embeddings")) c.save_embeddings = args.boolean("save_embeddings"), mark("save_embeddings");
  if (args.given("save_distogram")) c.save_distogram = args.boolean("save_distogram"), mark("save_distogram");
  auto var = [&](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto truthy = [](const std::string& v) { return v == "1" || v == "true" || v == "True" || v == "TRUE"; };
  if (auto v = var("XLA_PYTHON_CLIENT_PREALLOCATE")) c.preallocate = truthy(*v), mark("XLA_PYTHON_CLIENT_PREALLOCATE");
  for (const char* name : {"XLA_CLIENT_MEM_FRACTION", "XLA_PYTHON_CLIENT_MEM_FRACTION"}) {
    auto v = var(name);
    if (!v) continue;
    char* end = nullptr;
    double f = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0' || !(f > 0))
      throw UsageError(fmt::format("{}='{}' is not a positive number", name, *v));
    c.mem_fraction = f;
    mark("XLA_CLIENT_MEM_FRACTION");
    break;
  }
  if (auto v = var("TF_FORCE_UNIFIED_MEMORY")) c.unified_memory = truthy(*v), mark("TF_FORCE_UNIFIED_MEMORY");
  if (auto v = var("XLA_FLAGS")) c.xla_flags = *v, mark("XLA_FLAGS");
  return u;
}

std::vector<ConfigDifference> config_differences(const LaunchConfig& a, const LaunchConfig& b) {
  std::vector<ConfigDifference> out;
  auto add = [&](const char* name, const std::string& x, const std::string& y) {
    if (x != y) out.push_back({name, x, y});
  };
  auto or_default = [](const std::string& s) { return s.empty() ? std::string("AlphaFold 3's default") : s; };
  auto fraction = [](const std::optional<double>& f) { return f ? fraction_text(*f) : std::string("unset (0.75)"); };
  add("buckets", or_default(a.buckets), or_default(b.buckets));
  add("flash_attention_implementation", a.flash_attention, b.flash_attention);
  add("num_diffusion_samples", std::to_string(a.num_diffusion_samples), std::to_string(b.num_diffusion_samples));
  add("sample runs", std::to_string(a.sample_runs), std::to_string(b.sample_runs));
  add("num_recycles", std::to_string(a.num_recycles), std::to_string(b.num_recycles));
  add("save_embeddings", bool_text(a.save_embeddings), bool_text(b.save_embeddings));
  add("save_distogram", bool_text(a.save_distogram), bool_text(b.save_distogram));
  add("pair_transition_shard_spec", or_default(a.pair_transition_shard_spec), or_default(b.pair_transition_shard_spec));
  add("pair_attention_chunk_size", or_default(a.pair_attention_chunk_size), or_default(b.pair_attention_chunk_size));
  add("XLA_PYTHON_CLIENT_PREALLOCATE", bool_text(a.preallocate), bool_text(b.preallocate));
  add("XLA_CLIENT_MEM_FRACTION", fraction(a.mem_fraction), fraction(b.mem_fraction));
  add("TF_FORCE_UNIFIED_MEMORY", bool_text(a.unified_memory), bool_text(b.unified_memory));
  add("XLA_FLAGS", a.xla_flags, b.xla_flags);
  return out;
}

LaunchCommand build_launch(const LaunchConfig& config, const LaunchRequest& request) {
  LaunchCommand out;
  if (request.af3_command.empty()) throw UsageError("the AlphaFold 3 command is empty");
  if (config.needs_adapter()) {
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
          "the model-config fields pair_transition_shard_spec / pair_attention_chunk_size are set through foldfit's "
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
  if (!config.buckets.empty()) out.argv.push_back("--buckets=" + config.buckets);
  out.argv.push_back("--flash_attention_implementation=" + config.flash_attention);
  out.argv.push_back(fmt::format("--num_diffusion_samples={}", config.samples_per_run()));
  out.argv.push_back(fmt::format("--num_recycles={}", config.num_recycles));
  out.argv.push_back("--save_embeddings=" + bool_text(config.save_embeddings));
  out.argv.push_back("--save_distogram=" + bool_text(config.save_distogram));
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
  set("XLA_PYTHON_CLIENT_PREALLOCATE", bool_text(config.preallocate));
  std::optional<std::string> fraction = config.mem_fraction ? std::optional(fraction_text(*config.mem_fraction)) : std::nullopt;
  // JAX reads XLA_CLIENT_MEM_FRACTION, older releases XLA_PYTHON_CLIENT_MEM_FRACTION: keep both equal.
  set("XLA_CLIENT_MEM_FRACTION", fraction);
  set("XLA_PYTHON_CLIENT_MEM_FRACTION", fraction);
  set("TF_FORCE_UNIFIED_MEMORY", config.unified_memory ? std::optional<std::string>("true") : std::nullopt);
  set("XLA_FLAGS", config.xla_flags.empty() ? std::nullopt : std::optional(config.xla_flags));
  if (config.needs_adapter()) {
    nlohmann::ordered_json fields = nlohmann::ordered_json::object();
    if (!config.pair_transition_shard_spec.empty()) fields["pair_transition_shard_spec"] = config.pair_transition_shard_spec;
    if (!config.pair_attention_chunk_size.empty()) fields["pair_attention_chunk_size"] = config.pair_attention_chunk_size;
    set("FOLDFIT_AF3_CONFIG", fields.dump());
  } else {
    set("FOLDFIT_AF3_CONFIG", std::nullopt);
  }
  return out;
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

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace foldfit
