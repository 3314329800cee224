// cmd_verify.cpp - `foldfit verify`: compile AlphaFold 3's model for an input's plan with
// XLA (on the local GPU, or deviceless for a named one) and compare XLA's memory figures
// with foldfit's estimate.
#include <fmt/format.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/version.hpp"
#include "foldfit/history/database.hpp"
#include "foldfit/history/sha256.hpp"
#include "foldfit/report/sizes_report.hpp"
#include "foldfit/report/verify_report.hpp"
#include "foldfit/run/af3_args.hpp"
#include "foldfit/run/launch.hpp"
#include "foldfit/verify/xla_verify.hpp"
#include "inputs.hpp"
#include "paths.hpp"
#include "planning.hpp"

namespace fs = std::filesystem;

namespace foldfit::cli {

namespace {

std::vector<OptionSpec> verify_options() {
  std::vector<OptionSpec> o = planning_option_specs();
  o.push_back({"padded_tokens", "N", "", "compile for this padded size instead of an input's (an input of N tokens)"});
  o.push_back({"af3_python", "CMD", "the interpreter of the AlphaFold 3 command foldfit run finds",
               "the Python that runs run_alphafold.py (JAX, haiku, tokamax and alphafold3 importable)"});
  o.push_back({"run_alphafold", "FILE", "the run_alphafold.py of that command",
               "run_alphafold.py, whose make_model_config builds the model config"});
  o.push_back({"backend", "auto|cuda-device|cuda-deviceless|cpu", "auto",
               "auto: the local GPU when one is detected and --gpu is not given, else deviceless for the GPU named"});
  o.push_back({"target_config", "FILE", "generated from data/xla/gpu_targets.tsv",
               "a GpuTargetConfigProto text file to compile for (deviceless)"});
  o.push_back({"model_dir", "DIR", "", "AlphaFold 3's weights: parameter shapes from them (default: the model's own)"});
  o.push_back({"glu_implementation", "fused|xla", "tokamax's choice", "force tokamax's gated linear unit implementation"});
  o.push_back({"cache_dir", "DIR", "$XDG_CACHE_HOME/foldfit/xla", "results cached by AlphaFold 3, JAX versions, target, N, settings"});
  o.push_back({"top_buffers", "N", "10", "how many of XLA's largest live buffers to list"});
  o.push_back({"record", "", "true", "record the result in the history database (an observation foldfit calibrate uses)"});
  o.push_back({"history_db", "FILE", "$XDG_DATA_HOME/foldfit/history.sqlite", "the run history database"});
  o.push_back({"verbose", "", "false", "show everything the helper, JAX and XLA print"});
  o.push_back({"format", "text|json", "text", "output format"});
  return o;
}

// The interpreter and run_alphafold.py of the AlphaFold 3 command `foldfit run` would use.
struct Af3Python {
  std::vector<std::string> python;
  std::string run_alphafold;
};

Af3Python find_af3_python(const ParsedOptions& o, const std::map<std::string, std::string>& env) {
  Af3Python out;
  if (auto p = o.get("af3_python")) out.python = split_command(*p);
  out.run_alphafold = o.get_or("run_alphafold", "");
  if (!out.python.empty()) return out;
  std::vector<std::string> tried;
  auto command = find_af3_command(env, &tried);
  if (!command)
    throw UsageError(fmt::format("cannot find AlphaFold 3's Python; give --af3_python=/path/to/python (looked at: {})",
                                 fmt::join(tried, "; ")));
  std::vector<std::string> words = split_command(*command);
  std::size_t script = words.size();
  for (std::size_t i = 0; i < words.size(); ++i)
    if (words[i].size() > 3 && words[i].ends_with(".py")) script = i;
  out.python.assign(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(std::min(script, words.size())));
  if (out.python.empty()) out.python = {"python3"};
  if (out.run_alphafold.empty() && script < words.size()) out.run_alphafold = words[script];
  return out;
}

// A synthetic input of N tokens, for --padded_tokens.
Sizes sizes_for(std::int64_t n) {
  Sizes s;
  s.name = fmt::format("{} tokens", n);
  s.file = "(--padded_tokens)";
  s.tokens = n;
  s.padded_tokens = n;
  s.chains = 1;
  s.seeds = 1;
  return s;
}

}  // namespace

const CommandSpec kVerifySpec{
    "verify",
    "Compile AlphaFold 3's model for an input's plan with XLA, through your own AlphaFold 3\n"
    "installation, and print XLA's memory figures beside foldfit's estimate.",
    "(--json_path=FILE | --input_dir=DIR | --padded_tokens=N) [--gpu=NAME] [flags]",
    "The plan is the one foldfit estimate makes for the same input, GPU, flags and environment;\n"
    "verify compiles its padded N, samples per run, attention and model-config fields. On the\n"
    "local GPU (cuda-device) XLA also runs it once and reports the device's peak; without a GPU it\n"
    "compiles for the GPU --gpu names (cuda-deviceless, a target from data/xla/gpu_targets.tsv or\n"
    "--target_config). A compile takes minutes; results are cached. cpu compiles are a structural\n"
    "check, never a GPU figure. See docs/xla.md.\n"
    "Exit codes: 0 compiled; 2 invalid input, usage, or an AlphaFold 3 / JAX installation that cannot\n"
    "compile the model (missing JAX, a config field this AlphaFold 3 lacks, an unknown target);\n"
    "1 the compile failed.",
    verify_options(),
};

int run_verify(const ParsedOptions& options) {
  Af3Args::parse(options.unknown());
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  auto padded = options.integer("padded_tokens", 1, 100000);
  if (padded && (options.has("json_path") || options.has("input_dir")))
    throw UsageError("give --padded_tokens=N or an input (--json_path / --input_dir), not both");
  Planning planning = planning_from(options);
  if (padded) {
    // Exactly N: a bucket of N, as if --buckets=N had been given.
    planning.request.settings.buckets = {Buckets({*padded}), Origin::flag};
  }
  const Device& device = planning.request.device;
  std::string backend_text = options.get_or("backend", "auto");
  XlaBackend backend;
  if (backend_text == "auto") {
    backend = device.detected && !options.has("gpu") ? XlaBackend::cuda_device : XlaBackend::cuda_deviceless;
  } else if (auto b = backend_from_name(backend_text)) {
    backend = *b;
  } else {
    throw UsageError(fmt::format("--backend: '{}' is not one of auto, cuda-device, cuda-deviceless, cpu", backend_text));
  }
  if (backend == XlaBackend::cuda_device && !device.detected)
    throw UsageError("--backend=cuda-device needs a GPU on this machine; use --gpu=NAME for a deviceless compile");

  Af3Python af3 = find_af3_python(options, planning.environment);
  VerifyOptions vo;
  vo.backend = backend;
  vo.target = device.spec.name;
  vo.target_config = options.get_or("target_config", "");
  vo.model_dir = options.get_or("model_dir", "");
  vo.run_alphafold = af3.run_alphafold;
  vo.cache_dir = options.get_or("cache_dir", xdg_cache(planning.environment) + "/xla");
  if (auto g = options.choice("glu_implementation", {"fused", "xla"})) vo.glu_implementation = *g;
  vo.top_buffers = static_cast<int>(options.integer("top_buffers", 0, 1000).value_or(10));
  const bool verbose = options.flag("verbose", false);
  const bool record = options.flag("record", true);
  const std::string target_text =
      backend == XlaBackend::cuda_device ? fmt::format("{} (cuda-device, this machine's GPU)", device.spec.full_name)
      : backend == XlaBackend::cpu      ? "XLA's CPU backend (cpu)"
                                        : fmt::format("{} (cuda-deviceless)", vo.target_config.empty() ? vo.target : vo.target_config);

  const std::string cache = xdg_cache(planning.environment);
  const std::string helper = install_verify_helper(cache + "/verify-helper-" + std::string(version()));
  std::unique_ptr<HistoryDb> db;
  if (record) db = std::make_unique<HistoryDb>(options.get_or("history_db", default_history_path()));
  const std::string batch = batch_id("verify-");

  int worst = kOk;
  bool list = false;
  std::size_t shown = 0;
  auto verify_one = [&](const Sizes& s, const InputVisit& visit) {
    list = visit.list;
    PlanRequest request = planning.request;
    request.details = false;
    PlannedInput planned = plan_input(s, request);
    VerifyOptions o = vo;
    // XLA schedules against the pool the plan's settings give JAX's allocator.
    o.device_memory = planned.plan.budget.pool;
    nlohmann::ordered_json req = verify_request(planned.plan, o);
    std::deque<std::string> tail;
    const std::string work = fs::path(cache) / "verify-runs" / fmt::format("{}-{}", batch, visit.index);
    std::cerr << fmt::format("foldfit verify: {} at N {} for {}: compiling AlphaFold 3 (minutes)\n", s.name,
                             planned.plan.padded_tokens, target_text);
    HelperRun run = run_verify_helper(af3.python, helper, req, planning.environment, work, [&](const std::string& line) {
      if (line.rfind("foldfit-verify: ", 0) == 0 && line.rfind("foldfit-verify: error", 0) != 0) {
        std::cerr << "  " << line.substr(16) << " s\n";
      } else if (verbose) {
        std::cerr << line << "\n";
      } else {
        tail.push_back(line);
        if (tail.size() > 20) tail.pop_front();
      }
    });
    if (run.exit_code != 0) {
      if (!verbose)
        for (const std::string& l : tail) std::cerr << "  | " << l << "\n";
      std::string why = fmt::format("verify: {} ({}): {}", s.name, run.kind, run.error);
      if (run.kind == "start") throw UsageError(why + "; give --af3_python=/path/to/python");
      if (run.kind == "request" || run.kind == "environment") throw UsageError(why);
      std::cerr << "foldfit: error: " << why << "\n";
      worst = kError;
      return;
    }
    XlaFigures x = parse_verify_response(run.response, work + "/response.json");
    report::VerifyReport r{&planned, &x, target_text, std::nullopt};
    if (db) {
      RunRecord rec;
      rec.batch_id = batch;
      rec.input_hash = padded ? fmt::format("padded-{}", *padded) : sha256_file(s.file);
      rec.input_name = s.name;
      rec.input_path = s.file;
      rec.tokens = s.tokens;
      rec.padded_tokens = planned.plan.padded_tokens;
      rec.sizes_json = padded ? "{}" : report::sizes_json(s, size_options_from(options, planning.release)).dump();
      rec.config_json = nlohmann::ordered_json{{"settings", planned.plan.settings.to_json()},
                                               {"xla", {{"backend", x.backend}, {"target", target_text}, {"request", req},
                                                        {"versions", x.versions}}}}
                            .dump();
      rec.gpu = backend == XlaBackend::cuda_device ? device.spec.full_name : vo.target;
      auto text = [&](const char* key) {
        auto it = x.versions.find(key);
        return it != x.versions.end() && it->is_string() ? it->get<std::string>() : std::string();
      };
      rec.af3_version = !text("af3_release").empty() ? text("af3_release")
                        : !text("af3_version_string").empty() ? text("af3_version_string") : "unknown";
      rec.foldfit_version = std::string(version());
      rec.outcome = RunOutcome::succeeded;
      rec.expected_peak = planned.plan.after.total;
      rec.budget = planned.plan.budget.pool;
      // XLA's pool on a GPU target is a peak of the pool; a CPU compile is kept apart.
      rec.observed_peak = x.pool;
      rec.observed_source = backend == XlaBackend::cpu ? "xla-cpu" : "xla-compile";
      rec.preallocated = false;
      rec.duration_seconds = run.seconds;
      rec.exit_status = "exit status 0";
      rec.message = fmt::format("XLA compile ({}), {:.0f} s", x.backend, x.compile_seconds);
      rec.id = db->add(rec);
      db->update(rec);
      r.run_id = rec.id;
    }
    if (format == "json") {
      std::string text = report::verify_json(r).dump(2);
      if (!list) std::cout << text << "\n";
      else std::cout << (shown == 0 ? "[\n" : ",\n") << text;
    } else {
      std::cout << report::verify_text(r);
    }
    std::cout.flush();
    ++shown;
  };
  std::size_t invalid = 0;
  if (padded) verify_one(sizes_for(*padded), InputVisit{1, false});
  else invalid = for_each_input(options, size_options_from(options, planning.release), verify_one);
  if (list && format == "json") std::cout << (shown == 0 ? "[]\n" : "\n]\n");
  return invalid > 0 ? kInvalid : worst;
}

}  // namespace foldfit::cli
