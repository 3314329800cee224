// submit.hpp - sending a plan folder to Slurm (foldfit submit) and the record of what was sent.
//
// Each array's sbatch script goes with `sbatch --parsable`, an inference array with
// `--dependency=aftercorr:<its data-pipeline array's job id>`. Every job id is written to
// <plan>/submitted.json (replaced atomically) as soon as sbatch returns it, so a failed or
// interrupted submit keeps what it sent, and a later submit sends only the arrays the
// record lacks: submitting twice never duplicates work. A lock on <plan>/.foldfit.lock
// serialises submits of one plan folder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/schedule/slurm.hpp"

namespace foldfit {

// One array of a plan folder, as manifest.json describes it.
struct PlanArray {
  std::string name;
  std::string kind;        // "data_pipeline" | "inference"
  std::string script;      // file name in the plan folder
  std::string depends_on;  // inference: its data-pipeline array
  std::string klass;       // inference: the GPU class
  std::string partition;
  std::int64_t tasks = 0;
  std::int64_t mem_bytes = 0;
  std::int64_t time_seconds = 0;
};

// One input of a plan folder, as manifest.json describes it.
struct PlanInputEntry {
  std::string name;
  std::string file;
  std::string data_json;
  std::string klass;  // "" when it fits no class
  std::string gpu;
  std::int64_t tokens = 0;
  std::int64_t seeds = 0;
  std::string data_array, inference_array;
  int data_task = -1, inference_task = -1;
};

struct PlanFolder {
  std::string dir;                 // absolute
  nlohmann::json manifest;         // without "inputs"
  std::vector<PlanArray> arrays;   // in manifest order: each data array before its inference array
  std::vector<PlanInputEntry> inputs;
  const PlanArray* array(const std::string& name) const;
};

// Reads <dir>/manifest.json. Throws UsageError when dir is not a plan folder, InputError
// naming the file when the manifest cannot be read.
PlanFolder read_plan_folder(const std::string& dir);

struct SubmittedArray {
  std::string name;
  std::string job_id;
  std::string dependency;    // "aftercorr:123" or ""
  std::string submitted_at;  // UTC, ISO 8601
};

// <dir>/submitted.json; empty when nothing was submitted. Throws InputError when unreadable.
std::vector<SubmittedArray> read_submitted(const std::string& dir);

// An exclusive lock on <dir>/.foldfit.lock, held while the object lives (waits for another holder).
class PlanLock {
 public:
  explicit PlanLock(const std::string& dir);
  ~PlanLock();
  PlanLock(const PlanLock&) = delete;
  PlanLock& operator=(const PlanLock&) = delete;

 private:
  int fd_ = -1;
};

struct SubmitReport {
  std::vector<SubmittedArray> submitted;  // by this call
  std::vector<SubmittedArray> already;    // recorded before, not sent again
  std::optional<std::string> error;       // sbatch failed: the array, its status and what it printed; submitting stopped there
};

// Submits every array of the plan folder that submitted.json lacks, in manifest order.
// Takes the PlanLock unless `locked`. Throws OutputError when the record cannot be written.
SubmitReport submit_plan(const PlanFolder& plan, SlurmClient& slurm, bool locked = false);

nlohmann::ordered_json submit_report_json(const PlanFolder& plan, const SubmitReport& r);
std::string submit_report_text(const PlanFolder& plan, const SubmitReport& r);

}  // namespace foldfit
