// slurm.hpp - the Slurm commands a submitted campaign uses (sbatch, sacct), and what
// they print, read.
//
// SlurmClient is the seam: SystemSlurm runs the commands found on PATH (argv, no
// shell); tests give their own.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace foldfit {

// A command's exit status and output. status: the exit code, 128+N for signal N,
// 127 when it could not be started.
struct ToolResult {
  int status = 0;
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up on PATH) with stdin from /dev/null, stdout and stderr captured.
ToolResult run_tool(const std::vector<std::string>& argv);

// One array task as sacct reports it. A pending array is one line ("12_[0-5%2]"): every
// task it names gets that line's state.
struct SacctTask {
  std::string job_id;   // the array's job id
  int task = -1;        // the array index
  std::string state;    // COMPLETED, FAILED, OUT_OF_MEMORY, TIMEOUT, PENDING, RUNNING, CANCELLED, ...
  std::string exit_code;
  std::string elapsed;
  bool step_out_of_memory = false;  // a step of the task (batch, extern) ran out of host memory
};

// `sacct -n -P --format=JobID,State,ExitCode,Elapsed` output. "CANCELLED by 0" reads as
// CANCELLED. Steps ("12_3.batch") only mark out-of-memory. Throws UsageError on a line
// that is not four '|'-separated fields.
std::map<std::pair<std::string, int>, SacctTask> parse_sacct(const std::string& text);

// The job id `sbatch --parsable` prints ("123" or "123;cluster"); nullopt when there is none.
std::optional<std::string> parse_sbatch_job_id(const std::string& out);

class SlurmClient {
 public:
  virtual ~SlurmClient() = default;
  // `sbatch --parsable [--dependency=DEP] SCRIPT`.
  virtual ToolResult sbatch(const std::string& script, const std::string& dependency) = 0;
  // `sacct -n -P -j ID,ID,... --format=JobID,State,ExitCode,Elapsed`.
  virtual ToolResult sacct(const std::vector<std::string>& job_ids) = 0;
};

class SystemSlurm final : public SlurmClient {
 public:
  ToolResult sbatch(const std::string& script, const std::string& dependency) override;
  ToolResult sacct(const std::vector<std::string>& job_ids) override;
};

}  // namespace foldfit
