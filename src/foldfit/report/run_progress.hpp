// run_progress.hpp - what `foldfit run` shows while it works: each input's plan, launch,
// stages and outcome, as text (a line per stage, rewritten in place on a terminal) or
// as JSON lines, and the batch's summary table.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/run/runner.hpp"

namespace foldfit::report {

class RunProgress final : public RunEvents {
 public:
  RunProgress(std::ostream& out, bool json, bool tty, std::size_t total);
  // The AlphaFold 3 release planned for, printed once before the first input.
  void on_release(const Af3ReleaseChoice& release);
  void on_skip(const RunInput& in, const std::string& reason) override;
  void on_rung(const RunInput& in, const Rung& r, int attempt) override;
  void on_launch(const RunInput&, const LaunchCommand& cmd, const std::string& log_path) override;
  void on_progress(const RunInput& in, const Af3Progress& p, double elapsed, const Rung& r) override;
  void on_attempt_end(const RunInput& in, const RunRecord& r, const Af3LogScanner& log) override;
  void on_done(const InputSummary& s) override;
  void on_wait_earlier(const RunInput& in, const RunRecord& earlier) override;
  void summary(const std::vector<InputSummary>& all);

 private:
  std::string counter() const;
  void emit(const nlohmann::ordered_json& j);
  void end_line();
  std::ostream& out_;
  bool json_, tty_;
  std::size_t total_, done_ = 0;
  bool open_line_ = false;
  std::string last_;
  std::optional<double> inference_start_;
};

// The summary table of a batch: input, bucket, status, attempts, reason.
std::string summary_table(const std::vector<InputSummary>& summaries);

}  // namespace foldfit::report
