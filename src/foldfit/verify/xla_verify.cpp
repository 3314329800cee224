#include "foldfit/verify/xla_verify.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/run/launch.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace foldfit {

std::string_view backend_name(XlaBackend b) {
  switch (b) {
    case XlaBackend::cuda_device: return "cuda-device";
    case XlaBackend::cuda_deviceless: return "cuda-deviceless";
    case XlaBackend::cpu: return "cpu";
  }
  return "cpu";
}

std::optional<XlaBackend> backend_from_name(std::string_view name) {
  for (XlaBackend b : {XlaBackend::cuda_device, XlaBackend::cuda_deviceless, XlaBackend::cpu})
    if (backend_name(b) == name) return b;
  return std::nullopt;
}

nlohmann::ordered_json verify_request(const Plan& plan, const VerifyOptions& o) {
  const RunSettings& s = plan.settings;
  nlohmann::ordered_json j;
  j["padded_tokens"] = plan.padded_tokens;
  // One AlphaFold 3 process runs this many samples together: what its memory depends on.
  j["num_diffusion_samples"] = s.samples_per_run();
  j["num_recycles"] = s.num_recycles.value;
  j["flash_attention_implementation"] = s.flash_attention.value;
  j["global_config"] = adapter_fields(s);
  j["return_embeddings"] = s.save_embeddings.value;
  j["return_distogram"] = s.save_distogram.value;
  j["glu_implementation"] = o.glu_implementation.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(o.glu_implementation);
  j["backend"] = std::string(backend_name(o.backend));
  if (o.backend == XlaBackend::cuda_deviceless) {
    nlohmann::ordered_json t;
    if (!o.target.empty()) t["name"] = o.target;
    if (!o.target_config.empty()) t["config"] = o.target_config;
    j["target"] = t;
  } else {
    j["target"] = nullptr;
  }
  j["device_memory_bytes"] = o.device_memory ? nlohmann::ordered_json(o.device_memory->count()) : nlohmann::ordered_json();
  j["model_dir"] = o.model_dir.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(o.model_dir);
  j["run_alphafold"] = o.run_alphafold.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(o.run_alphafold);
  j["cache_dir"] = o.cache_dir.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(o.cache_dir);
  j["top_buffers"] = o.top_buffers;
  return j;
}

namespace {

[[noreturn]] void bad(const std::string& source, const std::string& member, const std::string& what) {
  throw InputError(SourceLocation{source, 0, 0, member}, what);
}

Bytes need_bytes(const nlohmann::json& j, const char* key, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0)
    bad(source, key, "expected a byte count in the verify helper's response");
  return Bytes(it->get<std::int64_t>());
}

std::optional<Bytes> maybe_bytes(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return Bytes(it->get<std::int64_t>());
}

std::string string_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string text_of(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump();
}

}  // namespace

XlaFigures parse_verify_response(const nlohmann::json& r, const std::string& source) {
  if (!r.is_object()) bad(source, "", "the verify helper's response is not a JSON object");
  XlaFigures f;
  f.argument = need_bytes(r, "argument_bytes", source);
  f.output = need_bytes(r, "output_bytes", source);
  f.alias = need_bytes(r, "alias_bytes", source);
  f.temp = need_bytes(r, "temp_bytes", source);
  f.generated_code = maybe_bytes(r, "generated_code_bytes").value_or(Bytes(0));
  f.pool = f.argument + f.output + f.temp - f.alias;
  if (auto p = maybe_bytes(r, "pool_bytes"); p && *p != f.pool)
    bad(source, "pool_bytes", fmt::format("{} is not argument + output + temp - alias = {}", p->count(), f.pool.count()));
  f.peak = maybe_bytes(r, "peak_bytes");
  f.device_peak = maybe_bytes(r, "device_peak_bytes_in_use");
  auto seconds = [&](const char* key) {
    auto it = r.find(key);
    return it != r.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  f.compile_seconds = seconds("compile_seconds");
  f.lower_seconds = seconds("lower_seconds");
  f.host_peak_rss = maybe_bytes(r, "host_peak_rss_bytes").value_or(Bytes(0));
  f.rematerialization_warning = text_of(r.value("rematerialization_warning", nlohmann::json()));
  f.backend = string_at(r, "backend");
  if (auto t = r.find("target"); t != r.end() && t->is_object()) f.target = string_at(*t, "name");
  if (auto v = r.find("versions"); v != r.end() && v->is_object()) f.versions = *v;
  f.cached = r.contains("cached") && r["cached"].is_boolean() && r["cached"].get<bool>();
  if (auto b = r.find("largest_buffers"); b != r.end() && b->is_array()) {
    for (const auto& x : *b) {
      if (!x.is_object()) continue;
      XlaBuffer buf;
      buf.bytes = maybe_bytes(x, "bytes").value_or(Bytes(0));
      buf.shape = text_of(x.value("shape", nlohmann::json()));
      buf.dtype = string_at(x, "dtype");
      buf.name = string_at(x, "name");
      buf.phase = phase_of_buffer(buf.name);
      f.largest.push_back(std::move(buf));
    }
  }
  f.response = r;
  return f;
}

std::string phase_of_buffer(std::string_view n) {
  auto has = [&](std::string_view s) { return n.find(s) != std::string_view::npos; };
  if (has("diffusion_head")) {
    if (has("atom_transformer") || has("atom_cross_att")) return "atom_cross_attention";
    if (has("/transformer/")) return "diffusion_transformer";
    return "diffusion_conditioning";
  }
  if (has("confidence_head")) return "confidence_head";
  if (has("distogram_head")) return "distogram_head";
  if (has("template")) return "template_embedder";
  if (has("msa")) return "msa_module";
  if (has("triangle_multiplication")) return "triangle_multiplication";
  if (has("pair_attention") || has("triangle_attention")) return "pair_attention";
  if (has("single_attention")) return "single_attention";
  if (has("pair_transition")) return "pair_transition";
  if (has("evoformer") || has("pairformer")) return "input_embedding";
  if (has("/diffuser/while") || n.ends_with("diffuser/while")) return "persistent (pair embedding carried through the loop)";
  return "";
}

HelperRun run_verify_helper(const std::vector<std::string>& python, const std::string& helper,
                            const nlohmann::ordered_json& request, const std::map<std::string, std::string>& environment,
                            const std::string& work_dir, const LineFn& on_line) {
  HelperRun out;
  fs::create_directories(work_dir);
  const std::string request_path = (fs::path(work_dir) / "request.json").string();
  const std::string response_path = (fs::path(work_dir) / "response.json").string();
  replace_file_atomically(request_path, request.dump(2) + "\n");

  std::vector<std::string> args = python;
  args.push_back(helper);
  args.push_back("--request=" + request_path);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_text;
  for (const auto& [k, v] : environment) env_text.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  int err_pipe[2];
  if (::pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, response_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[1]);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(err_pipe[0]);
    out.kind = "start";
    out.error = fmt::format("cannot start '{}': {}", python.front(), std::strerror(rc));
    return out;
  }
  std::string pending;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(err_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
      if (on_line) on_line(pending.substr(0, nl));
  }
  if (!pending.empty() && on_line) on_line(pending);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

  std::ifstream in(response_path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    out.response = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception&) {
    out.response = nullptr;
  }
  if (out.exit_code == 127 && out.response.is_null()) {
    out.kind = "start";
    out.error = fmt::format("'{}' could not run the helper (exit 127)", fmt::join(python, " "));
  } else if (out.exit_code != 0) {
    out.kind = out.response.is_object() ? string_at(out.response, "kind") : "";
    if (out.kind.empty()) out.kind = "compile";
    out.error = out.response.is_object() ? string_at(out.response, "error") : "";
    if (out.error.empty())
      out.error = fmt::format("the helper ended with exit status {} and no JSON response (see its output above)",
                              out.exit_code);
  }
  return out;
}

std::string install_verify_helper(const std::string& dir) {
  for (const embedded::EmbeddedFile& f : embedded::verify_helper_files()) {
    fs::path path = fs::path(dir) / f.path;
    std::ifstream in(path, std::ios::binary);
    std::stringstream have;
    if (in) have << in.rdbuf();
    if (in && have.str() == f.content) continue;
    fs::create_directories(path.parent_path());
    replace_file_atomically(path.string(), f.content);
  }
  return (fs::path(dir) / "python" / "foldfit_xla_verify.py").string();
}

}  // namespace foldfit
