// status.hpp - where every input of a submitted campaign stands (foldfit status), and
// the resubmission of what failed for want of memory or time (--resubmit).
//
// A campaign is its plan folder (round 0) and the resubmissions in it, <plan>/resubmit-N
// (round N), each a plan folder of its own with its submitted.json. An input's current
// round is the last that holds it. Its outcome joins:
//   - its outputs (<output_dir>/<name>: ranking scores and model present: done),
//   - Slurm's accounting of its array tasks (sacct: pending, running, TIMEOUT,
//     OUT_OF_MEMORY for host RAM, FAILED, CANCELLED, ...),
//   - foldfit's history database (the tasks' `foldfit run`: an attempt that ran out of
//     GPU memory with no configuration left, or failed, and why).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/schedule/slurm.hpp"
#include "foldfit/schedule/submit.hpp"

namespace foldfit {

// done | running | pending | failed | out-of-memory | timeout | cancelled | not-submitted
struct InputStatus {
  std::string name;
  std::string outcome;
  std::string detail;        // why, from the state, accounting and history
  std::string half;          // "data_pipeline" | "inference": the half the outcome comes from
  std::string resubmit;      // "" | "gpu_memory" | "host_memory" | "time" | "dependency" | "again": how --resubmit treats it
  int round = 0;
  std::string klass, gpu;
  std::string array, job;    // the array and "JOBID_TASK" of that half
  std::string slurm_state;   // as sacct gives it; "" when not in accounting
  std::string elapsed;
  std::string log;           // the task's Slurm output file
};

struct CampaignStatus {
  std::string plan_dir;
  int rounds = 1;
  std::vector<InputStatus> inputs;  // in the plan's order
  std::map<std::string, std::size_t> counts;
};

// Reads the plan folder and its rounds, asks `slurm` (sacct) about every recorded job and
// reads the history database named in the manifest. Throws std::runtime_error when sacct fails.
CampaignStatus campaign_status(const std::string& plan_dir, SlurmClient& slurm);

nlohmann::ordered_json status_json(const CampaignStatus& s);
std::string status_text(const CampaignStatus& s);

struct ResubmitReport {
  std::string round_dir;             // "" when nothing was resubmitted
  bool finished_earlier = false;     // an earlier round's folder was written but not wholly submitted: submitted now
  std::vector<std::pair<std::string, std::string>> moved;  // input, what changed
  std::vector<std::pair<std::string, std::string>> left;   // input, why not resubmitted
  SubmitReport submit;
};

// Re-plans the inputs whose status is out-of-memory or timeout (and tasks held by a failed
// dependency) into <plan>/resubmit-N and submits it: out of GPU memory onto the cheapest
// class with more GPU memory that fits; out of host memory with twice the --mem (at most
// the node's); timed out with one input per task and twice the --time (at most the
// partition's limit). Under the plan's lock; a round written but not wholly submitted is
// submitted instead of planning a new one, so a second --resubmit never duplicates work.
ResubmitReport resubmit_failures(const CampaignStatus& status, SlurmClient& slurm);

nlohmann::ordered_json resubmit_report_json(const ResubmitReport& r);
std::string resubmit_report_text(const ResubmitReport& r);

}  // namespace foldfit
