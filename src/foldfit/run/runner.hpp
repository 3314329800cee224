// runner.hpp - running AlphaFold 3 on inputs: plan -> launch -> watch -> record, retrying
// out-of-memory with the next rung of the ladder.
//
// Per input: skip it when its outputs are finished (unless forced); take the ladder's
// first rung; run it (one process, or one per sample split); on out-of-memory record what
// was learnt and take the next rung, at most max_retries times. Every state of every
// attempt is written to the journal before it is acted on. Finished outputs are never
// overwritten: a forced redo lets AlphaFold 3 write to a new timestamped folder, and a
// retry reuses the folder of the unfinished attempt (--force_output_dir) and, when the
// data pipeline ran, that attempt's <name>_data.json (with the pipeline off).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "foldfit/device/nvml.hpp"
#include "foldfit/run/af3_log.hpp"
#include "foldfit/run/journal.hpp"
#include "foldfit/run/ladder.hpp"
#include "foldfit/run/process.hpp"

namespace foldfit {

struct RunInput {
  std::string path;        // the input JSON file
  std::string name;        // the input's name (AlphaFold 3 names its output folder after it)
  std::string input_hash;  // sha256 of the file
  std::int64_t tokens = 0;
  std::int64_t padded_tokens = 0;
  std::string sizes_json;
};

struct RunnerSettings {
  std::vector<std::string> af3_command;
  std::string adapter_path;             // foldfit_af3_adapter.py, written by the caller
  std::string output_dir;
  std::string work_dir;                 // logs and split inputs (<output_dir>/.foldfit)
  std::vector<std::string> passthrough; // run_alphafold.py flags foldfit does not interpret
  bool run_data_pipeline = true;
  std::string compilation_cache_dir;
  std::map<std::string, std::string> environment;
  int max_retries = 3;
  bool force = false;                   // redo inputs whose outputs are finished
  bool echo = false;                    // AlphaFold 3's output to the terminal too
  double tick_seconds = 1.0;            // GPU sampling and progress interval
  std::string batch_id;
  std::string gpu;
  std::string driver;
  std::string af3_version;
  // An AlphaFold 3 of an earlier run of the same input still alive on this machine:
  // refuse (the input is "blocked" and the batch stops) or wait for it to end.
  bool wait_for_earlier = false;
};

// The outcome of one input, for the summary table.
struct InputSummary {
  RunInput input;
  std::string status;               // "done" | "skipped" | "failed" | "cannot fit" | "interrupted" | "blocked"
  int attempts = 0;                 // configurations launched
  std::string reason;               // why skipped / failed; "" when done first time
  std::vector<std::string> tried;   // one line per configuration tried
  double seconds = 0;
  std::optional<Bytes> observed_peak;
};

class RunEvents {
 public:
  virtual ~RunEvents() = default;
  virtual void on_skip(const RunInput&, const std::string& /*reason*/) {}
  virtual void on_rung(const RunInput&, const Rung&, int /*attempt*/) {}
  virtual void on_launch(const RunInput&, const LaunchCommand&, const std::string& /*log_path*/) {}
  virtual void on_progress(const RunInput&, const Af3Progress&, double /*elapsed*/, const Rung&) {}
  virtual void on_attempt_end(const RunInput&, const RunRecord&, const Af3LogScanner&) {}
  virtual void on_done(const InputSummary&) {}
  // An AlphaFold 3 of an earlier run of this input is still alive; foldfit waits for it.
  virtual void on_wait_earlier(const RunInput&, const RunRecord& /*earlier*/) {}
};

class Runner {
 public:
  // `gpu` may be null (no memory sampling).
  Runner(RunnerSettings settings, ProcessLauncher& launcher, RunJournal& journal, GpuQuery* gpu, RunEvents& events);

  InputSummary run_one(const RunInput& input, Ladder& ladder);
  // Inputs in bucket order (so each compiled model is reused); stops after an interrupt
  // or a blocked input.
  std::vector<InputSummary> run_all(std::vector<RunInput> inputs,
                                    const std::function<std::unique_ptr<Ladder>(const RunInput&)>& ladder_for);

 private:
  // The record of a still-alive AlphaFold 3 of an earlier run of `input`, if any.
  std::optional<RunRecord> live_earlier(const RunInput& input);

  RunnerSettings s_;
  ProcessLauncher& launcher_;
  RunJournal& journal_;
  GpuQuery* gpu_;
  RunEvents& events_;
};

// Orders inputs by padded token count, then name: one compile per bucket.
void order_by_bucket(std::vector<RunInput>& inputs);

}  // namespace foldfit
