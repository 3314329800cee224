// cmd_submit.cpp - `foldfit submit PLAN_DIR`: a plan folder's job arrays to Slurm, each once
// (library: foldfit/schedule/submit.hpp).
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/schedule/submit.hpp"

namespace foldfit::cli {

std::string plan_dir_argument(const ParsedOptions& options, const char* command) {
  const auto& pos = options.positional();
  if (pos.size() > 1) throw UsageError(fmt::format("foldfit {}: unexpected argument '{}'", command, pos[1]));
  if (pos.size() == 1 && options.has("plan_dir"))
    throw UsageError(fmt::format("foldfit {}: give the plan folder once (PLAN_DIR or --plan_dir)", command));
  if (pos.size() == 1) return pos.front();
  if (auto d = options.get("plan_dir")) return *d;
  throw UsageError(fmt::format("foldfit {}: give the plan folder (foldfit {} PLAN_DIR)", command, command));
}

const CommandSpec kSubmitSpec{
    "submit",
    "Submit a plan folder (foldfit plan) to Slurm: each array's sbatch script once, every inference array after\n"
    "its data-pipeline array task for task (--dependency=aftercorr), the job ids recorded in the plan folder.",
    "PLAN_DIR [--format=text|json]",
    "Runs 'sbatch --parsable SCRIPT' for each data-pipeline array, then 'sbatch --parsable\n"
    "--dependency=aftercorr:JOBID SCRIPT' for its inference array. Each job id is written to\n"
    "PLAN_DIR/submitted.json (replaced atomically) as sbatch returns it; arrays already recorded there are\n"
    "skipped, so submitting again, or after a submit that failed part way, never sends an array twice.\n"
    "Exit codes: 0 every array submitted (now or before); 1 sbatch failed (what it sent is recorded, a\n"
    "later submit sends the rest); 2 not a plan folder or usage. See docs/campaigns.md.",
    {
        {"plan_dir", "DIR", "", "the plan folder (instead of PLAN_DIR)"},
        {"format", "text|json", "text", "the report as text or JSON"},
    },
};

int run_submit(const ParsedOptions& options) {
  std::string dir = plan_dir_argument(options, "submit");
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  PlanFolder plan = read_plan_folder(dir);
  SystemSlurm slurm;
  SubmitReport r = submit_plan(plan, slurm);
  if (format == "json")
    std::cout << submit_report_json(plan, r).dump(2) << "\n";
  else
    std::cout << submit_report_text(plan, r);
  if (r.error) {
    std::cerr << "foldfit: error: " << *r.error << "\n";
    return kError;
  }
  return kOk;
}

}  // namespace foldfit::cli
