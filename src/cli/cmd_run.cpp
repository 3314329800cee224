// cmd_run.cpp - `foldfit run`: run_alphafold.py's command line, with the plan applied,
// out-of-memory retried, progress shown and every run recorded.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/history/database.hpp"
#include "foldfit/history/sha256.hpp"
#include "foldfit/report/run_progress.hpp"
#include "foldfit/report/sizes_report.hpp"
#include "foldfit/run/af3_args.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/run/runner.hpp"
#include "inputs.hpp"
#include "foldfit/run/planned_ladder.hpp"
#include "paths.hpp"
#include "planning.hpp"

namespace fs = std::filesystem;

namespace foldfit::cli {

namespace {

std::vector<OptionSpec> run_options() {
  std::vector<OptionSpec> o = planning_option_specs();
  o.push_back({"output_dir", "DIR", "", "run_alphafold.py's output folder (required unless --estimate_memory_only)"});
  o.push_back({"auto_memory_optimization", "", "true", "plan the settings that fit and retry out-of-memory with the next plan"});
  o.push_back({"estimate_memory_only", "", "false", "print foldfit estimate's report for each input and exit (its exit codes)"});
  o.push_back({"af3_command", "CMD", "$FOLDFIT_AF3_COMMAND, python3 /app/alphafold/run_alphafold.py, run_alphafold.py on PATH",
               "how to start AlphaFold 3 (split into words like a shell, never run by one)"});
  o.push_back({"history_db", "FILE", "$XDG_DATA_HOME/foldfit/history.sqlite", "the run history database"});
  o.push_back({"force", "", "false", "run inputs whose outputs are complete (AlphaFold 3 writes a new timestamped folder)"});
  o.push_back({"verbose", "", "false", "copy AlphaFold 3's output to the terminal"});
  o.push_back({"max_retries", "N", "3", "out-of-memory retries per input"});
  o.push_back({"wait_for_earlier_run", "", "false",
               "when an AlphaFold 3 of an earlier run of an input is still alive: wait for it (default: refuse, exit 3)"});
  o.push_back({"format", "auto|text|json", "auto", "progress as text, or JSON lines; auto: text on a terminal"});
  o.push_back({"explain", "", "false", "with --estimate_memory_only: every phase with its tensors"});
  o.push_back({"stages", "K,K,...", "", "staged fold of one homomer: run these stages in order, each with the previous "
                                        "stage's model as templates (docs/staging.md)"});
  return o;
}

// run_alphafold.py flags that foldfit sets itself for each process.
const std::set<std::string> kInterpreted = {"json_path", "input_dir", "output_dir", "jax_compilation_cache_dir",
                                           "force_output_dir", "run_data_pipeline"};

int exit_code_for(const std::vector<InputSummary>& all, int forwarded_signal) {
  for (const auto& s : all)
    if (s.status == "blocked") return kBlocked;
  for (const auto& s : all)
    if (s.status == "interrupted") return 128 + (forwarded_signal ? forwarded_signal : 2);
  for (const auto& s : all)
    if (s.status != "done" && s.status != "skipped") return kError;
  return kOk;
}

}  // namespace

const CommandSpec kRunSpec{
    "run",
    "Run AlphaFold 3 with settings that fit the GPU: a drop-in for 'python run_alphafold.py ...'.\n"
    "Every run_alphafold.py flag is accepted and passed on; foldfit sets the memory-relevant ones per input,\n"
    "retries out-of-memory with the next plan, and records every run in its history database.",
    "(--json_path=FILE | --input_dir=DIR | --input_list=FILE) --output_dir=DIR [foldfit flags] [run_alphafold.py flags]",
    "Exit codes: 0 every input done or skipped; 1 an input failed; 2 invalid input or usage;\n"
    "3 an AlphaFold 3 of an earlier run of an input is still alive (see --wait_for_earlier_run);\n"
    "128+N interrupted by signal N. With --estimate_memory_only: 0 fits, 10 fits with the plan, 11 cannot fit.\n"
    "With --stages=K,K,... (one --json_path): the stages of a staged fold in order, each run as one\n"
    "input with the previous stage's model attached as templates; a failed stage stops the chain and\n"
    "the same command resumes (docs/staging.md).\n"
    "See docs/run.md.",
    run_options(),
};

int run_run(const ParsedOptions& options) {
  if (options.has("stages")) return run_staged(options);
  Af3Args af3 = Af3Args::parse(options.unknown());
  Planning planning = planning_from(options);
  const std::map<std::string, std::string>& env = planning.environment;
  bool estimate_only = options.flag("estimate_memory_only", false);
  bool auto_optimize = options.flag("auto_memory_optimization", true);
  std::string format = options.choice("format", {"auto", "text", "json"}).value_or("auto");
  if (estimate_only)
    return print_estimates(options, planning, format == "json" ? "json" : "text", options.flag("explain", false));
  bool tty = ::isatty(STDOUT_FILENO) != 0;
  bool json = format == "json" || (format == "auto" && !tty);
  int max_retries = static_cast<int>(options.integer("max_retries", 0, 100).value_or(3));

  require_launchable(planning.release);
  SizeOptions size_options = size_options_from(options, planning.release);
  SizedInputs sized = load_inputs(options, size_options);
  if (report_load_problems(sized)) return kInvalid;
  std::map<std::string, int> jobs_per_file;
  for (const Sizes& s : sized.sizes) ++jobs_per_file[s.file];
  for (const auto& [file, n] : jobs_per_file)
    if (n > 1)
      throw UsageError(fmt::format("{} holds {} jobs; foldfit run plans each job on its own: give one job per file", file, n));

  std::vector<RunInput> inputs;
  std::map<std::string, const Sizes*> sizes_of;
  PlanRequest first = planning.request;
  first.details = false;
  for (const Sizes& s : sized.sizes) {
    // The plan owns N: inputs are ordered and recorded by the N AlphaFold 3 will run at.
    std::int64_t padded = plan_input(s, first).plan.padded_tokens;
    RunInput in{s.file, s.name, sha256_file(s.file), s.tokens, padded, report::sizes_json(s, size_options).dump()};
    sizes_of[s.file] = &s;
    inputs.push_back(std::move(in));
  }
  auto ladder_for = [&](const RunInput& in) {
    const Sizes& s = *sizes_of.at(in.path);
    return auto_optimize ? make_planned_ladder(s, planning.request) : make_as_given_ladder(s, planning.request);
  };

  auto output_dir = options.get("output_dir");
  if (!output_dir) throw UsageError("give --output_dir=DIR (run_alphafold.py requires it)");
  std::string command_text;
  if (auto c = options.get("af3_command")) {
    command_text = *c;
  } else {
    std::vector<std::string> tried;
    auto found = find_af3_command(env, &tried);
    if (!found)
      throw UsageError(fmt::format("cannot find AlphaFold 3; give --af3_command='python3 /path/to/run_alphafold.py' (looked at: {})",
                                   fmt::join(tried, "; ")));
    command_text = *found;
  }

  RunnerSettings rs;
  rs.af3_command = split_command(command_text);
  rs.output_dir = *output_dir;
  rs.work_dir = (fs::path(*output_dir) / ".foldfit").string();
  rs.adapter_path = (fs::path(rs.work_dir) / "foldfit_af3_adapter.py").string();
  replace_file_atomically(rs.adapter_path, std::string(embedded::af3_adapter_py()));
  rs.passthrough = af3.argv_without(kInterpreted);
  if (size_options.fix_standalone_glycans) rs.passthrough.push_back("--fix_standalone_glycans=true");
  if (auto d = options.get("gpu_device")) rs.passthrough.push_back("--gpu_device=" + *d);
  rs.run_data_pipeline = af3.boolean("run_data_pipeline");
  rs.compilation_cache_dir = af3.value("jax_compilation_cache_dir").value_or(xdg_cache(env) + "/jax_compilation_cache");
  rs.environment = env;
  rs.max_retries = max_retries;
  rs.force = options.flag("force", false);
  rs.echo = options.flag("verbose", false);
  rs.wait_for_earlier = options.flag("wait_for_earlier_run", false);
  rs.batch_id = batch_id();
  std::unique_ptr<GpuQuery> gpu = make_nvml_query();
  const Device& device = planning.request.device;
  rs.gpu = device.detected ? device.spec.full_name : device.spec.name;
  for (const DetectedGpu& g : planning.local.gpus)
    if (g.name == device.spec.full_name) rs.driver = g.driver_version;
  rs.af3_version = env.count("FOLDFIT_AF3_VERSION") ? env.at("FOLDFIT_AF3_VERSION") : "unknown";

  HistoryDb db(options.get_or("history_db", default_history_path()));
  db.reap_stale();
  std::unique_ptr<ProcessLauncher> launcher = make_process_launcher();
  report::RunProgress printer(std::cout, json, tty, inputs.size());
  printer.on_release(planning.release);
  Runner runner(rs, *launcher, db, gpu.get(), printer);
  std::vector<InputSummary> all = runner.run_all(inputs, ladder_for);
  printer.summary(all);
  int forwarded = 0;
  for (const auto& s : all)
    if (s.status == "interrupted" && s.reason.rfind("interrupted by signal ", 0) == 0)
      forwarded = std::atoi(s.reason.c_str() + std::string_view("interrupted by signal ").size());
  return exit_code_for(all, forwarded);
}

}  // namespace foldfit::cli
