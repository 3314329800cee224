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
#include "foldfit/report/sizes_report.hpp"
#include "foldfit/run/af3_args.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/run/runner.hpp"
#include "inputs.hpp"
#include "foldfit/run/planned_ladder.hpp"
#include "planning.hpp"

namespace fs = std::filesystem;

namespace foldfit::cli {

namespace {

std::vector<OptionSpec> run_options() {
  std::vector<OptionSpec> o = input_option_specs(false);
  for (OptionSpec& s : setting_option_specs()) o.push_back(s);
  for (OptionSpec& s : device_option_specs()) o.push_back(s);
  o.push_back({"output_dir", "DIR", "", "run_alphafold.py's output folder (required unless --estimate_memory_only)"});
  o.push_back({"auto_memory_optimization", "", "true", "plan the settings that fit and retry out-of-memory with the next plan"});
  o.push_back({"estimate_memory_only", "", "false", "print foldfit estimate's report for each input and exit (its exit codes)"});
  o.push_back({"af3_command", "CMD", "$FOLDFIT_AF3_COMMAND, python3 /app/alphafold/run_alphafold.py, run_alphafold.py on PATH",
               "how to start AlphaFold 3 (split into words like a shell, never run by one)"});
  o.push_back({"history_db", "FILE", "$XDG_DATA_HOME/foldfit/history.sqlite", "the run history database"});
  o.push_back({"force", "", "false", "run inputs whose outputs are complete (AlphaFold 3 writes a new timestamped folder)"});
  o.push_back({"verbose", "", "false", "copy AlphaFold 3's output to the terminal"});
  o.push_back({"max_retries", "N", "3", "out-of-memory retries per input"});
  o.push_back({"format", "auto|text|json", "auto", "progress as text, or JSON lines; auto: text on a terminal"});
  o.push_back({"explain", "", "false", "with --estimate_memory_only: every phase with its tensors"});
  return o;
}

// run_alphafold.py flags that foldfit sets itself for each process.
const std::set<std::string> kInterpreted = {"json_path", "input_dir", "output_dir", "jax_compilation_cache_dir",
                                           "force_output_dir", "run_data_pipeline"};

std::string clock_text(double seconds) {
  auto s = static_cast<long long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string xdg_cache(const std::map<std::string, std::string>& env) {
  if (auto it = env.find("XDG_CACHE_HOME"); it != env.end() && !it->second.empty()) return it->second + "/foldfit";
  auto home = env.find("HOME");
  return (home != env.end() ? home->second : std::string(".")) + "/.cache/foldfit";
}

std::string batch_id() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&t));
  return fmt::format("{}-{}", buf, ::getpid());
}

// Progress and decisions, as text (a line per stage, rewritten in place on a terminal)
// or as JSON lines.
class Printer final : public RunEvents {
 public:
  Printer(bool json, bool tty, std::size_t total) : json_(json), tty_(tty), total_(total) {}

  void on_skip(const RunInput& in, const std::string& reason) override {
    if (json_) return emit({{"event", "skip"}, {"input", in.name}, {"reason", reason}});
    end_line();
    std::cout << fmt::format("{} {}: skipped, {}\n", counter(), in.name, reason);
  }
  void on_rung(const RunInput& in, const Rung& r, int attempt) override {
    inference_start_.reset();
    last_.clear();
    if (json_) {
      nlohmann::ordered_json changes = nlohmann::ordered_json::array();
      for (const Change& c : r.changes) changes.push_back({{"setting", c.setting}, {"from", c.from}, {"to", c.to}, {"reason", c.reason}});
      return emit({{"event", "plan"}, {"input", in.name}, {"attempt", attempt}, {"padded_tokens", in.padded_tokens},
                   {"verdict", r.verdict}, {"expected_peak", r.expected_peak.count()}, {"budget", r.budget.count()},
                   {"changes", changes}, {"settings", r.settings.to_json()}, {"notes", r.notes}});
    }
    end_line();
    std::cout << fmt::format("{} {} ({} tokens, bucket {}){}\n", counter(), in.name, in.tokens, in.padded_tokens,
                             attempt > 1 ? fmt::format(", attempt {}", attempt) : "");
    if (r.expected_peak > Bytes(0))
      std::cout << fmt::format("  expected peak {}{} ({})\n", format_gb(r.expected_peak),
                               r.budget > Bytes(0) ? fmt::format(" of {} usable", format_gb(r.budget)) : "", r.origin);
    if (!r.changes.empty()) {
      std::cout << "Applying automatic memory optimizations:\n";
      for (const Change& c : r.changes)
        std::cout << fmt::format("  {}: {} -> {}{}\n", c.setting, c.from, c.to, c.reason.empty() ? "" : " (" + c.reason + ")");
    }
    for (const std::string& n : r.notes) std::cout << "  note: " << n << "\n";
    std::cout.flush();
  }
  void on_launch(const RunInput&, const LaunchCommand& cmd, const std::string& log_path) override {
    if (json_) return;
    for (const auto& [k, v] : cmd.set_by_foldfit) std::cout << fmt::format("  environment: {}={}\n", k, v);
    std::cout << fmt::format("  log: {}\n", log_path);
  }
  void on_progress(const RunInput& in, const Af3Progress& p, double elapsed, const Rung& r) override {
    if (p.stage == Af3Stage::inference && !inference_start_) inference_start_ = elapsed;
    std::string remaining;
    if (r.runtime.seconds > 0) {
      if (inference_start_)
        remaining = fmt::format(", ~{} left (runtime model)", clock_text(std::max(0.0, r.runtime.seconds - (elapsed - *inference_start_))));
      else
        remaining = fmt::format(", inference ~{} (runtime model)", clock_text(r.runtime.seconds));
    }
    std::string stage = p.describe();
    if (json_) {
      if (stage == last_) return;
      last_ = stage;
      return emit({{"event", "stage"}, {"input", in.name}, {"stage", stage}, {"elapsed", elapsed},
                   {"remaining", inference_start_ && r.runtime.seconds > 0
                                     ? nlohmann::ordered_json(std::max(0.0, r.runtime.seconds - (elapsed - *inference_start_)))
                                     : nlohmann::ordered_json()}});
    }
    std::string line = fmt::format("  {} {}: {}, {} elapsed{}", counter(), in.name, stage, clock_text(elapsed), remaining);
    if (tty_) {
      std::cout << "\r\033[K" << line << std::flush;
      open_line_ = true;
    } else if (stage != last_) {
      std::cout << line << "\n" << std::flush;
    }
    last_ = stage;
  }
  void on_attempt_end(const RunInput& in, const RunRecord& r, const Af3LogScanner& log) override {
    if (json_)
      return emit({{"event", "attempt"}, {"input", in.name}, {"attempt", r.attempt}, {"part", r.part},
                   {"outcome", outcome_name(r.outcome)}, {"exit", r.exit_status}, {"seconds", r.duration_seconds},
                   {"observed_peak", r.observed_peak ? nlohmann::ordered_json(r.observed_peak->count()) : nlohmann::ordered_json()},
                   {"observed_source", r.observed_source}, {"message", r.message}});
    end_line();
    std::cout << fmt::format("  AlphaFold 3 {} after {}: {}\n", r.exit_status, clock_text(r.duration_seconds), outcome_name(r.outcome));
    if (r.outcome == RunOutcome::oom) {
      std::cout << "  out of memory: " << r.message << "\n";
      if (auto lb = log.peak_lower_bound())
        std::cout << fmt::format("  learnt: this configuration needs at least {} (expected {})\n", format_gb(*lb),
                                 format_gb(r.expected_peak));
    } else if (!r.message.empty()) {
      std::cout << "  " << r.message << "\n";
    }
    std::cout.flush();
  }
  void on_done(const InputSummary& s) override {
    ++done_;
    if (json_)
      return emit({{"event", "done"}, {"input", s.input.name}, {"status", s.status}, {"attempts", s.attempts},
                   {"reason", s.reason}, {"tried", s.tried}});
    end_line();
    if (s.status == "failed" || s.status == "cannot fit") {
      std::cout << fmt::format("  {}: {}\n  tried:\n", s.status, s.reason);
      for (const std::string& t : s.tried) std::cout << "    " << t << "\n";
    }
  }
  void summary(const std::vector<InputSummary>& all) {
    if (json_) {
      nlohmann::ordered_json rows = nlohmann::ordered_json::array();
      for (const auto& s : all)
        rows.push_back({{"input", s.input.name}, {"padded_tokens", s.input.padded_tokens}, {"status", s.status},
                        {"attempts", s.attempts}, {"reason", s.reason}});
      return emit({{"event", "summary"}, {"inputs", rows}});
    }
    end_line();
    std::cout << "\n" << summary_table(all);
  }

 private:
  std::string counter() const { return total_ > 1 ? fmt::format("[{}/{}]", std::min(done_ + 1, total_), total_) : ""; }
  void emit(const nlohmann::ordered_json& j) { std::cout << j.dump() << "\n" << std::flush; }
  void end_line() {
    if (open_line_) std::cout << "\n";
    open_line_ = false;
  }
  bool json_, tty_;
  std::size_t total_, done_ = 0;
  bool open_line_ = false;
  std::string last_;
  std::optional<double> inference_start_;
};

int exit_code_for(const std::vector<InputSummary>& all, int forwarded_signal) {
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
    "(--json_path=FILE | --input_dir=DIR) --output_dir=DIR [foldfit flags] [run_alphafold.py flags]",
    "Exit codes: 0 every input done or skipped; 1 an input failed; 2 invalid input or usage;\n"
    "128+N interrupted by signal N. With --estimate_memory_only: 0 fits, 10 fits with the plan, 11 cannot fit.\n"
    "See docs/run.md.",
    run_options(),
};

int run_run(const ParsedOptions& options) {
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

  SizeOptions size_options = size_options_from(options);
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
  Printer printer(json, tty, inputs.size());
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
