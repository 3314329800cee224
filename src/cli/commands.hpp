// commands.hpp - the subcommands of the foldfit command line, one file each.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"

namespace foldfit {
struct Planning;  // plan/planning.hpp
}  // namespace foldfit

namespace foldfit::cli {

// Exit codes shared by every subcommand (docs/cli.md).
enum ExitCode : int {
  kOk = 0,            // success; for estimate: fits as given
  kError = 1,         // anything else (I/O, internal)
  kInvalid = 2,       // invalid input or usage
  kBlocked = 3,       // run: an AlphaFold 3 of an earlier run of an input is still alive
  kFitsWithPlan = 10, // estimate: fits with the plan's changes
  kCannotFit = 11,    // estimate: cannot fit
};

struct Command {
  const CommandSpec* spec;
  int (*run)(const ParsedOptions& options);
  bool pass_unknown = false;  // unknown flags are collected (run: passed on to AlphaFold 3)
  bool positional = false;    // takes arguments that are not flags (submit, status: PLAN_DIR)
};

// Every subcommand, in the order `foldfit --help` lists them.
const std::vector<Command>& commands();

extern const CommandSpec kTokensSpec;
int run_tokens(const ParsedOptions& options);
extern const CommandSpec kDevicesSpec;
int run_devices(const ParsedOptions& options);

extern const CommandSpec kEstimateSpec;
int run_estimate(const ParsedOptions& options);
// The estimate report of every input the flags name (shared by estimate and
// run --estimate_memory_only); returns estimate's exit code.
int print_estimates(const ParsedOptions& options, const Planning& planning, const std::string& format, bool explain);

extern const CommandSpec kVerifySpec;
int run_verify(const ParsedOptions& options);

extern const CommandSpec kStageSpec;
int run_stage(const ParsedOptions& options);
extern const CommandSpec kTemplateSpec;
int run_template(const ParsedOptions& options);

extern const CommandSpec kRunSpec;
int run_run(const ParsedOptions& options);
// run --stages (cmd_run_stages.cpp): each stage through run_run, templates between them.
int run_staged(const ParsedOptions& options);
extern const CommandSpec kPlanSpec;
int run_plan(const ParsedOptions& options);
extern const CommandSpec kSubmitSpec;
int run_submit(const ParsedOptions& options);
extern const CommandSpec kStatusSpec;
int run_status(const ParsedOptions& options);
// The plan folder of submit and status: PLAN_DIR or --plan_dir=DIR.
std::string plan_dir_argument(const ParsedOptions& options, const char* command);
extern const CommandSpec kHistorySpec;
int run_history(const ParsedOptions& options);
extern const CommandSpec kCalibrateSpec;
int run_calibrate(const ParsedOptions& options);

}  // namespace foldfit::cli
