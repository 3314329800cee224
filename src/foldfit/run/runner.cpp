#include "foldfit/run/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "foldfit/common/version.hpp"
#include "foldfit/run/outputs.hpp"

namespace fs = std::filesystem;

namespace foldfit {

namespace {

using Clock = std::chrono::steady_clock;

// Parent pid from /proc/PID/stat ("pid (comm) state ppid ..."); 0 when unreadable.
std::uint32_t parent_of(std::uint32_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  std::getline(in, stat);
  auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  std::string state;
  std::uint32_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

bool descends_from(std::uint32_t pid, int ancestor) {
  for (int depth = 0; pid > 1 && depth < 32; ++depth) {
    if (pid == static_cast<std::uint32_t>(ancestor)) return true;
    pid = parent_of(pid);
  }
  return false;
}

// Watches one AlphaFold 3 process: its log, its GPU memory, its progress.
class Watcher final : public ProcessObserver {
 public:
  Watcher(const RunInput& input, const Rung& rung, RunEvents& events, GpuQuery* gpu, RunRecord& record, RunJournal& journal)
      : input_(input), rung_(rung), events_(events), gpu_(gpu), record_(record), journal_(journal) {}

  // The child's identity goes to the journal before anything else happens, so a foldfit
  // killed from here on leaves enough behind to find its AlphaFold 3.
  void on_start(int pid) override {
    record_.child_pid = pid;
    record_.child_start_time = process_start_time(pid).value_or(0);
    journal_.set_child(record_);
  }

  void on_line(std::string_view line) override {
    if (scanner.feed(line))
      events_.on_progress(input_, scanner.progress(), std::chrono::duration<double>(Clock::now() - start_).count(), rung_);
  }
  void on_tick(int pid, double elapsed) override {
    if (gpu_) {
      // The memory AlphaFold 3's process (or a descendant, under a wrapper) holds, summed over GPUs.
      Bytes used(0);
      for (const DetectedGpu& g : gpu_->list())
        for (const GpuProcess& p : g.processes)
          if (descends_from(p.pid, pid)) used += p.used;
      if (used > Bytes(0) && (!peak || used > *peak)) peak = used;
    }
    events_.on_progress(input_, scanner.progress(), elapsed, rung_);
  }

  Af3LogScanner scanner;
  std::optional<Bytes> peak;

 private:
  const RunInput& input_;
  const Rung& rung_;
  RunEvents& events_;
  GpuQuery* gpu_;
  RunRecord& record_;
  RunJournal& journal_;
  Clock::time_point start_ = Clock::now();
};

std::string describe_rung(const Rung& r) {
  const RunSettings& c = r.settings;
  std::string s = fmt::format("samples {}{}, {} attention", c.num_diffusion_samples.value,
                              c.sample_runs.value > 1 ? fmt::format(" in {} runs", c.sample_runs.value) : "",
                              c.flash_attention.value);
  if (r.padded_tokens > 0) s += fmt::format(", N {}", r.padded_tokens);
  if (c.mem_fraction.explicit_value()) s += fmt::format(", fraction {:g}", c.mem_fraction.value);
  if (c.unified_memory.value) s += ", unified memory";
  if (c.pair_transition_shard_spec.value != default_pair_transition_shard_spec())
    s += ", pair_transition_shard_spec " + c.pair_transition_shard_spec.value.to_string();
  if (c.pair_attention_chunk_size.value != default_pair_attention_chunk_size())
    s += ", pair_attention_chunk_size " + c.pair_attention_chunk_size.value.to_string();
  if (c.bfloat16.value != "all") s += ", bfloat16 " + c.bfloat16.value;
  if (r.expected_peak > Bytes(0)) s += ", expected peak " + format_gb(r.expected_peak);
  return s;
}

}  // namespace

Runner::Runner(RunnerSettings settings, ProcessLauncher& launcher, RunJournal& journal, GpuQuery* gpu, RunEvents& events)
    : s_(std::move(settings)), launcher_(launcher), journal_(journal), gpu_(gpu), events_(events) {}

InputSummary Runner::run_one(const RunInput& input, Ladder& ladder) {
  InputSummary summary;
  summary.input = input;
  RunRecord base;
  base.batch_id = s_.batch_id;
  base.input_hash = input.input_hash;
  base.input_name = input.name;
  base.input_path = input.path;
  base.tokens = input.tokens;
  base.padded_tokens = input.padded_tokens;
  base.sizes_json = input.sizes_json;
  base.gpu = s_.gpu;
  base.driver = s_.driver;
  base.af3_version = s_.af3_version;
  base.foldfit_version = std::string(version());

  OutputState plain = inspect_output(s_.output_dir, input.name);
  if (plain.finished && !s_.force) {
    summary.status = "skipped";
    summary.reason = fmt::format("outputs complete in {} (--force to redo)", plain.dir);
    RunRecord r = base;
    r.outcome = RunOutcome::skipped;
    r.message = summary.reason;
    r.id = journal_.add(r);
    events_.on_skip(input, summary.reason);
    events_.on_done(summary);
    return summary;
  }

  fs::create_directories(fs::path(s_.work_dir) / "logs");
  std::string log_path = (fs::path(s_.work_dir) / "logs" / (af3_sanitised_name(input.name) + ".log")).string();
  Rung rung = ladder.first();
  // Per sample split: use the data pipeline's output once an attempt has written it.
  std::map<int, std::string> data_json_for_part;
  for (int attempt = 1;; ++attempt) {
    summary.attempts = attempt;
    summary.tried.push_back(fmt::format("{}: {}", attempt, describe_rung(rung)));
    // The plan owns N: what AlphaFold 3 runs at is what is shown and recorded.
    if (rung.padded_tokens > 0) summary.input.padded_tokens = base.padded_tokens = rung.padded_tokens;
    if (rung.verdict == "cannot_fit") {
      summary.status = "cannot fit";
      summary.reason = "the planner finds no configuration that fits" +
                       (rung.expected_peak > Bytes(0) ? fmt::format(" (expected peak {})", format_gb(rung.expected_peak)) : "");
      RunRecord r = base;
      r.attempt = attempt;
      r.config_json = nlohmann::ordered_json{{"settings", rung.settings.to_json()}}.dump();
      r.expected_peak = rung.expected_peak;
      r.budget = rung.budget;
      r.outcome = RunOutcome::failed;
      r.message = summary.reason;
      r.id = journal_.add(r);
      events_.on_done(summary);
      return summary;
    }
    events_.on_rung(summary.input, rung, attempt);

    const RunSettings& config = rung.settings;
    const int parts = std::max(1, config.sample_runs.value);
    bool oom = false;
    OomLesson lesson;
    for (int part = 0; part < parts; ++part) {
      std::string json_path = input.path;
      std::string name = input.name;
      if (parts > 1)
        json_path = write_split_input(input.path, part, parts, (fs::path(s_.work_dir) / "inputs").string(), &name);
      OutputState state = inspect_output(s_.output_dir, name);
      if (state.finished && (parts > 1 || !s_.force)) continue;  // a split finished earlier
      bool pipeline = s_.run_data_pipeline;
      if (auto it = data_json_for_part.find(part); it != data_json_for_part.end()) {
        json_path = it->second;
        pipeline = false;
      }
      // Never two AlphaFold 3 processes for one input: one of an earlier, killed run may
      // still hold the GPU and write to the output folder.
      if (auto earlier = live_earlier(input)) {
        if (!s_.wait_for_earlier) {
          summary.status = "blocked";
          summary.reason = fmt::format(
              "AlphaFold 3 of an earlier run is still running (pid {}, history run {}, batch {}); wait for it to end, "
              "end it, or give --wait_for_earlier_run",
              earlier->child_pid, earlier->id, earlier->batch_id);
          events_.on_done(summary);
          return summary;
        }
        events_.on_wait_earlier(summary.input, *earlier);
        while (auto still = live_earlier(input)) {
          (void)still;
          std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.05, s_.tick_seconds)));
        }
        // It may have finished the input (or this split) meanwhile.
        OutputState now = inspect_output(s_.output_dir, name);
        if (now.finished && (parts > 1 || !s_.force)) continue;
        state = now;
      }
      LaunchRequest req;
      req.af3_command = s_.af3_command;
      req.adapter_path = s_.adapter_path;
      req.json_path = json_path;
      req.output_dir = s_.output_dir;
      req.passthrough = s_.passthrough;
      req.passthrough.push_back(fmt::format("--run_data_pipeline={}", pipeline ? "true" : "false"));
      req.compilation_cache_dir = s_.compilation_cache_dir;
      // An unfinished attempt's folder is reused; a finished one is left alone (AlphaFold 3
      // then writes a new timestamped folder).
      req.force_output_dir = state.exists && !state.empty && !state.finished;
      req.environment = s_.environment;
      LaunchCommand cmd = build_launch(config, req);

      RunRecord r = base;
      r.attempt = attempt;
      r.part = part + 1;
      nlohmann::ordered_json cj;
      cj["settings"] = config.to_json();
      cj["argv"] = cmd.argv;
      cj["environment_set"] = cmd.set_by_foldfit;
      cj["extra_margin"] = rung.extra_margin.count();
      cj["origin"] = rung.origin;
      r.config_json = cj.dump();
      r.expected_peak = rung.expected_peak;
      r.budget = rung.budget;
      r.preallocated = config.preallocate.value;
      r.log_path = log_path;
      r.outcome = RunOutcome::planned;
      r.id = journal_.add(r);

      {
        std::ofstream log(log_path, std::ios::app);
        log << fmt::format("==== foldfit: attempt {} part {}/{}: {}\n", attempt, part + 1, parts,
                           fmt::join(cmd.argv, " "));
      }
      r.outcome = RunOutcome::running;
      journal_.update(r);
      events_.on_launch(summary.input, cmd, log_path);

      Watcher watcher(summary.input, rung, events_, gpu_, r, journal_);
      ProcessSpec spec{cmd.argv, cmd.environment, log_path, s_.echo, s_.tick_seconds};
      ProcessResult result = launcher_.run(spec, watcher);

      r.duration_seconds = result.seconds;
      r.exit_status = result.describe();
      summary.seconds += result.seconds;
      const Af3LogScanner& log = watcher.scanner;
      if (auto lb = log.peak_lower_bound(); lb && !result.success()) {
        r.observed_peak = lb;
        r.observed_is_lower_bound = true;
        r.observed_source = log.rematerialization() ? "xla" : "oom";
      } else if (log.rematerialization()) {
        r.observed_peak = log.rematerialization()->reached;
        r.observed_source = "xla";
      } else if (watcher.peak) {
        r.observed_peak = watcher.peak;
        r.observed_source = "nvml";
      }
      if (r.observed_peak && (!summary.observed_peak || *r.observed_peak > *summary.observed_peak))
        summary.observed_peak = r.observed_peak;

      if (result.success()) {
        r.outcome = RunOutcome::succeeded;
      } else if (result.forwarded_signal != 0) {
        r.outcome = RunOutcome::interrupted;
        r.message = fmt::format("interrupted by signal {}; AlphaFold 3 {}", result.forwarded_signal, result.describe());
      } else if (log.out_of_memory().seen) {
        r.outcome = RunOutcome::oom;
        r.message = log.out_of_memory().first_line;
      } else {
        r.outcome = RunOutcome::failed;
        r.message = !result.started ? result.start_error
                    : log.last_error().empty() ? fmt::format("AlphaFold 3 ended with {}", result.describe())
                                               : log.last_error();
      }
      journal_.update(r);
      events_.on_attempt_end(summary.input, r, log);

      if (r.outcome == RunOutcome::succeeded) continue;
      if (r.outcome == RunOutcome::interrupted || r.outcome == RunOutcome::failed) {
        summary.status = r.outcome == RunOutcome::interrupted ? "interrupted" : "failed";
        summary.reason = r.message;
        events_.on_done(summary);
        return summary;
      }
      // Out of memory: remember the data pipeline's output for the retry.
      OutputState after = inspect_output(s_.output_dir, name);
      if (s_.run_data_pipeline && after.has_data_json && pipeline) data_json_for_part[part] = after.data_json;
      oom = true;
      lesson.settings = config;
      lesson.expected_peak = rung.expected_peak;
      lesson.lower_bound = log.peak_lower_bound();
      lesson.evidence = r.message;
      break;
    }
    if (!oom) {
      summary.status = "done";
      if (attempt > 1) summary.reason = fmt::format("fitted after {} out-of-memory", attempt - 1);
      events_.on_done(summary);
      return summary;
    }
    std::string why_not;
    std::optional<Rung> next;
    if (attempt > s_.max_retries)
      why_not = fmt::format("--max_retries={} reached", s_.max_retries);
    else
      next = ladder.after_oom(lesson, why_not);
    if (!next) {
      summary.status = "failed";
      summary.reason = fmt::format("out of memory ({}); {}", lesson.evidence, why_not);
      events_.on_done(summary);
      return summary;
    }
    rung = std::move(*next);
  }
}

std::optional<RunRecord> Runner::live_earlier(const RunInput& input) {
  for (RunRecord& r : journal_.unended_children(input.input_hash))
    if (earlier_process_alive(r.child_pid, r.child_start_time)) return std::move(r);
  return std::nullopt;
}

std::vector<InputSummary> Runner::run_all(std::vector<RunInput> inputs,
                                          const std::function<std::unique_ptr<Ladder>(const RunInput&)>& ladder_for) {
  order_by_bucket(inputs);
  std::vector<InputSummary> out;
  for (const RunInput& in : inputs) {
    std::unique_ptr<Ladder> ladder = ladder_for(in);
    out.push_back(run_one(in, *ladder));
    if (out.back().status == "interrupted" || out.back().status == "blocked") break;
  }
  return out;
}

void order_by_bucket(std::vector<RunInput>& inputs) {
  std::stable_sort(inputs.begin(), inputs.end(), [](const RunInput& a, const RunInput& b) {
    return std::tie(a.padded_tokens, a.name) < std::tie(b.padded_tokens, b.name);
  });
}

std::string_view outcome_name(RunOutcome o) {
  switch (o) {
    case RunOutcome::planned: return "planned";
    case RunOutcome::running: return "running";
    case RunOutcome::succeeded: return "succeeded";
    case RunOutcome::oom: return "oom";
    case RunOutcome::failed: return "failed";
    case RunOutcome::skipped: return "skipped";
    case RunOutcome::interrupted: return "interrupted";
  }
  return "unknown";
}

std::optional<RunOutcome> outcome_from_name(std::string_view name) {
  for (RunOutcome o : {RunOutcome::planned, RunOutcome::running, RunOutcome::succeeded, RunOutcome::oom, RunOutcome::failed,
                       RunOutcome::skipped, RunOutcome::interrupted})
    if (outcome_name(o) == name) return o;
  return std::nullopt;
}

}  // namespace foldfit
