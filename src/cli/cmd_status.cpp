// cmd_status.cpp - `foldfit status PLAN_DIR [--resubmit]`: every input of a submitted
// campaign from Slurm's accounting and foldfit's history; failures for want of memory or
// time re-planned and submitted (library: foldfit/schedule/status.hpp).
#include <iostream>

#include "commands.hpp"
#include "foldfit/schedule/status.hpp"

namespace foldfit::cli {

const CommandSpec kStatusSpec{
    "status",
    "Show where every input of a submitted campaign stands: done, running, pending, failed, out-of-memory,\n"
    "timeout or cancelled, from Slurm's accounting (sacct) and foldfit's history; --resubmit re-plans and submits failures.",
    "PLAN_DIR [--resubmit] [--format=text|json]",
    "Asks 'sacct -n -P -j IDS --format=JobID,State,ExitCode,Elapsed' about the jobs in PLAN_DIR/submitted.json\n"
    "(and those of its resubmissions, PLAN_DIR/resubmit-N), and reads the history database the tasks share.\n"
    "--resubmit writes the next PLAN_DIR/resubmit-N and submits it: out of GPU memory (every configuration\n"
    "foldfit run tried) onto the cheapest class with more GPU memory that fits; out of host memory (Slurm\n"
    "OUT_OF_MEMORY) with twice the --mem; timed out with one input per task and twice the --time; cancelled\n"
    "tasks (scancel), those of a failed node, and inference tasks whose data-pipeline task failed, again. Other failures are listed, not resubmitted. Inputs already\n"
    "resubmitted show the new round's state, so a second --resubmit sends nothing twice.\n"
    "Exit codes: 0 the status was read (and the resubmission, if any, submitted); 1 sacct or sbatch failed;\n"
    "2 not a plan folder or usage. See docs/campaigns.md.",
    {
        {"plan_dir", "DIR", "", "the plan folder (instead of PLAN_DIR)"},
        {"resubmit", "", "false", "re-plan out-of-memory, timed-out and cancelled inputs into PLAN_DIR/resubmit-N and submit them"},
        {"format", "text|json", "text", "the report as text or JSON"},
    },
};

int run_status(const ParsedOptions& options) {
  std::string dir = plan_dir_argument(options, "status");
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  bool resubmit = options.flag("resubmit", false);
  SystemSlurm slurm;
  CampaignStatus st = campaign_status(dir, slurm);
  if (!resubmit) {
    if (format == "json")
      std::cout << status_json(st).dump(2) << "\n";
    else
      std::cout << status_text(st);
    return kOk;
  }
  ResubmitReport r = resubmit_failures(st, slurm);
  if (format == "json") {
    nlohmann::ordered_json j = status_json(st);
    j["resubmission"] = resubmit_report_json(r);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << status_text(st) << resubmit_report_text(r);
  }
  if (r.submit.error) {
    std::cerr << "foldfit: error: " << *r.submit.error << "\n";
    return kError;
  }
  return kOk;
}

}  // namespace foldfit::cli
