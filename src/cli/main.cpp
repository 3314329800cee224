// main.cpp - the foldfit command line: dispatches to one subcommand; the only place that exits.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/version.hpp"

namespace foldfit::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      {&kTokensSpec, run_tokens},
      {&kEstimateSpec, run_estimate, true},
      {&kDevicesSpec, run_devices},
      {&kVerifySpec, run_verify, true},
      {&kStageSpec, run_stage},
      {&kTemplateSpec, run_template},
      {&kRunSpec, run_run, true},
      {&kPlanSpec, run_plan, true},
      {&kSubmitSpec, run_submit, false, true},
      {&kStatusSpec, run_status, false, true},
      {&kHistorySpec, run_history},
      {&kCalibrateSpec, run_calibrate},
  };
  return all;
}

namespace {

std::string main_help() {
  std::string out = fmt::format(
      "foldfit {} - make AlphaFold 3 inference fit on the GPU it is given\n\n"
      "usage: foldfit COMMAND [flags]     (foldfit COMMAND --help for its flags)\n\ncommands:\n",
      version());
  for (const Command& c : commands()) {
    // The first sentence of the summary, on one line.
    std::string summary = c.spec->summary;
    std::replace(summary.begin(), summary.end(), '\n', ' ');
    if (auto dot = summary.find(". "); dot != std::string::npos) summary.resize(dot + 1);
    if (auto colon = summary.find(": "); colon != std::string::npos) summary.resize(colon);
    for (const char* cut : {" (", ", "})
      if (auto at = summary.find(cut); summary.size() > 80 && at != std::string::npos) summary.resize(at);
    out += fmt::format("  {:<12}{}\n", c.spec->name, summary);
  }
  out += "\nExit codes: 0 success, 2 invalid input or usage, 1 other errors (estimate adds 10 and 11, plan 11,\n"
         "run 3 and 128+N; COMMAND --help says).\n";
  return out;
}

int dispatch(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << main_help();
    return args.empty() ? kInvalid : kOk;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::cout << "foldfit " << version_long() << "\n";
    return kOk;
  }
  for (const Command& c : commands()) {
    if (c.spec->name != args[0]) continue;
    ParsedOptions options = parse_options(*c.spec, {args.begin() + 1, args.end()}, c.pass_unknown);
    if (options.help()) {
      std::cout << help_text(*c.spec);
      return kOk;
    }
    if (!c.positional && !options.positional().empty())
      throw UsageError(fmt::format("foldfit {}: unexpected argument '{}'", c.spec->name, options.positional().front()));
    return c.run(options);
  }
  std::vector<std::string> names;
  for (const Command& c : commands()) names.push_back(c.spec->name);
  auto near = close_matches(args[0], names);
  throw UsageError(fmt::format("unknown command '{}'{}; see 'foldfit --help'", args[0],
                               near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near.front())));
}

}  // namespace
}  // namespace foldfit::cli

int main(int argc, char** argv) {
  using namespace foldfit;
  try {
    return cli::dispatch(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "foldfit: " << e.what() << "\n";
    return cli::kInvalid;
  } catch (const InputError& e) {
    std::cerr << "foldfit: error: " << e.what() << "\n";
    return cli::kInvalid;
  } catch (const std::bad_alloc&) {
    std::cerr << "foldfit: error: out of memory\n";
    return cli::kError;
  } catch (const std::exception& e) {
    std::cerr << "foldfit: error: " << e.what() << "\n";
    return cli::kError;
  }
}
