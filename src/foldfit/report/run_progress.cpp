#include "foldfit/report/run_progress.hpp"
#include "foldfit/report/sizes_report.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace foldfit::report {

namespace {

std::string clock_text(double seconds) {
  auto s = static_cast<long long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60) : fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

RunProgress::RunProgress(std::ostream& out, bool json, bool tty, std::size_t total)
    : out_(out), json_(json), tty_(tty), total_(total) {}

void RunProgress::on_release(const Af3ReleaseChoice& release) {
  if (json_) return emit({{"event", "release"}, {"af3_release", release_json(release)}});
  out_ << release_line(release) << "\n";
}

void RunProgress::on_skip(const RunInput& in, const std::string& reason) {
  if (json_) return emit({{"event", "skip"}, {"input", in.name}, {"reason", reason}});
  end_line();
  out_ << fmt::format("{} {}: skipped, {}\n", counter(), in.name, reason);
}

void RunProgress::on_rung(const RunInput& in, const Rung& r, int attempt) {
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
  out_ << fmt::format("{} {} ({} tokens, bucket {}){}\n", counter(), in.name, in.tokens, in.padded_tokens,
                           attempt > 1 ? fmt::format(", attempt {}", attempt) : "");
  if (r.expected_peak > Bytes(0))
    out_ << fmt::format("  expected peak {}{} ({})\n", format_gb(r.expected_peak),
                             r.budget > Bytes(0) ? fmt::format(" of {} usable", format_gb(r.budget)) : "", r.origin);
  if (!r.changes.empty()) {
    out_ << "Applying automatic memory optimizations:\n";
    for (const Change& c : r.changes)
      out_ << fmt::format("  {}: {} -> {}{}\n", c.setting, c.from, c.to, c.reason.empty() ? "" : " (" + c.reason + ")");
  }
  for (const std::string& n : r.notes) out_ << "  note: " << n << "\n";
  out_.flush();
}

void RunProgress::on_launch(const RunInput&, const LaunchCommand& cmd, const std::string& log_path) {
  if (json_) return;
  for (const auto& [k, v] : cmd.set_by_foldfit) out_ << fmt::format("  environment: {}={}\n", k, v);
  out_ << fmt::format("  log: {}\n", log_path);
}

void RunProgress::on_progress(const RunInput& in, const Af3Progress& p, double elapsed, const Rung& r) {
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
    out_ << "\r\033[K" << line << std::flush;
    open_line_ = true;
  } else if (stage != last_) {
    out_ << line << "\n" << std::flush;
  }
  last_ = stage;
}

void RunProgress::on_attempt_end(const RunInput& in, const RunRecord& r, const Af3LogScanner& log) {
  if (json_)
    return emit({{"event", "attempt"}, {"input", in.name}, {"attempt", r.attempt}, {"part", r.part},
                 {"outcome", outcome_name(r.outcome)}, {"exit", r.exit_status}, {"seconds", r.duration_seconds},
                 {"observed_peak", r.observed_peak ? nlohmann::ordered_json(r.observed_peak->count()) : nlohmann::ordered_json()},
                 {"observed_source", r.observed_source}, {"message", r.message}});
  end_line();
  out_ << fmt::format("  AlphaFold 3 {} after {}: {}\n", r.exit_status, clock_text(r.duration_seconds), outcome_name(r.outcome));
  if (r.outcome == RunOutcome::oom) {
    out_ << "  out of memory: " << r.message << "\n";
    if (auto lb = log.peak_lower_bound())
      out_ << fmt::format("  learnt: this configuration needs at least {} (expected {})\n", format_gb(*lb),
                               format_gb(r.expected_peak));
  } else if (!r.message.empty()) {
    out_ << "  " << r.message << "\n";
  }
  out_.flush();
}

void RunProgress::on_done(const InputSummary& s) {
  ++done_;
  if (json_)
    return emit({{"event", "done"}, {"input", s.input.name}, {"status", s.status}, {"attempts", s.attempts},
                 {"reason", s.reason}, {"tried", s.tried}});
  end_line();
  if (s.status == "blocked") {
    out_ << fmt::format("  blocked: {}\n", s.reason);
  } else if (s.status == "failed" || s.status == "cannot fit") {
    out_ << fmt::format("  {}: {}\n  tried:\n", s.status, s.reason);
    for (const std::string& t : s.tried) out_ << "    " << t << "\n";
  }
}

void RunProgress::on_wait_earlier(const RunInput& in, const RunRecord& earlier) {
  std::string why = fmt::format("AlphaFold 3 of an earlier run of {} is still running (pid {}, history run {}); waiting for it to end",
                                in.name, earlier.child_pid, earlier.id);
  if (json_)
    return emit({{"event", "waiting"}, {"input", in.name}, {"pid", earlier.child_pid}, {"run", earlier.id}, {"message", why}});
  end_line();
  out_ << "  " << why << "\n" << std::flush;
}

void RunProgress::summary(const std::vector<InputSummary>& all) {
  if (json_) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& s : all)
      rows.push_back({{"input", s.input.name}, {"padded_tokens", s.input.padded_tokens}, {"status", s.status},
                      {"attempts", s.attempts}, {"reason", s.reason}});
    return emit({{"event", "summary"}, {"inputs", rows}});
  }
  end_line();
  out_ << "\n" << summary_table(all);
}

std::string RunProgress::counter() const { return total_ > 1 ? fmt::format("[{}/{}]", std::min(done_ + 1, total_), total_) : ""; }

void RunProgress::emit(const nlohmann::ordered_json& j) { out_ << j.dump() << "\n" << std::flush; }

void RunProgress::end_line() {
  if (open_line_) out_ << "\n";
  open_line_ = false;
}

std::string summary_table(const std::vector<InputSummary>& summaries) {
  std::size_t width = 5;
  for (const auto& s : summaries) width = std::max(width, s.input.name.size());
  std::string out = fmt::format("{:<{}}  {:>6}  {:<11}  {:>8}  {}\n", "input", width, "bucket", "status", "attempts", "reason");
  int done = 0, skipped = 0, retried = 0, failed = 0;
  for (const auto& s : summaries) {
    out += fmt::format("{:<{}}  {:>6}  {:<11}  {:>8}  {}\n", s.input.name, width, s.input.padded_tokens, s.status,
                       s.attempts, s.reason);
    if (s.status == "done") ++done, retried += s.attempts > 1;
    else if (s.status == "skipped") ++skipped;
    else ++failed;
  }
  out += fmt::format("{} done ({} after a retry), {} skipped, {} failed or stopped\n", done, retried, skipped, failed);
  return out;
}

}  // namespace foldfit::report
