// journal.hpp - the record of every AlphaFold 3 attempt, written before each step is acted on.
//
// The runner only sees this interface; the history module stores it in SQLite.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "foldfit/common/bytes.hpp"

namespace foldfit {

enum class RunOutcome { planned, running, succeeded, oom, failed, skipped, interrupted };
std::string_view outcome_name(RunOutcome o);
std::optional<RunOutcome> outcome_from_name(std::string_view name);

struct RunRecord {
  std::int64_t id = 0;          // assigned by the journal
  std::string batch_id;         // one foldfit invocation
  std::string input_hash;       // SHA-256 of the input file's bytes
  std::string input_name;
  std::string input_path;
  std::int64_t tokens = 0;
  std::int64_t padded_tokens = 0;
  std::string sizes_json;       // the sizes as `foldfit tokens --format=json` writes them
  std::string config_json;      // {"settings": RunSettings::to_json(), "argv", "environment_set", ...}
  int attempt = 1;              // 1 for the first configuration, 2 after one out-of-memory, ...
  int part = 1;                 // sample split run, 1-based
  std::string gpu;              // "NVIDIA A100-SXM4-40GB" or the table name
  std::string driver;
  std::string af3_version;
  std::string foldfit_version;
  RunOutcome outcome = RunOutcome::planned;
  Bytes expected_peak;
  Bytes budget;
  std::optional<Bytes> observed_peak;
  // How observed_peak was measured: "nvml" (process memory; with preallocation this is
  // the pool, an upper bound), "xla" (XLA's rematerialization figure), "oom" (lower bound
  // from a failed allocation).
  std::string observed_source;
  bool observed_is_lower_bound = false;
  bool preallocated = true;
  double duration_seconds = 0;
  std::string exit_status;
  std::string message;          // why it failed / was skipped
  std::string log_path;
  // The AlphaFold 3 process of this attempt, once started: its PID and its start time
  // (/proc/PID/stat field 22), so a later foldfit can tell whether it is still alive.
  int child_pid = 0;
  std::uint64_t child_start_time = 0;
};

class RunJournal {
 public:
  virtual ~RunJournal() = default;
  // Stores a new record and returns its id.
  virtual std::int64_t add(const RunRecord& record) = 0;
  // Stores `record` (by id) with its new outcome and figures.
  virtual void update(const RunRecord& record) = 0;
  // Stores record.child_pid and record.child_start_time (by id): the AlphaFold 3 process
  // has started. Not an outcome change.
  virtual void set_child(const RunRecord& /*record*/) {}
  // Attempts of this input on this machine whose AlphaFold 3 was started and whose end was
  // never recorded (outcome planned, running or interrupted): candidates for a process
  // that outlived its foldfit. Newest first.
  virtual std::vector<RunRecord> unended_children(const std::string& /*input_hash*/) { return {}; }
};

}  // namespace foldfit
